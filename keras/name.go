package keras

// NameOption is what [Name] returns: a name that is both an [InputOption] and a
// [ModelOption], so one keras.Name names an input or a model, as Keras's name= argument
// does. It does not name a layer: layer constructors take layers.Name (package layers),
// because their options are a different type; passing keras.Name to a layer constructor is
// the compile error "cannot use keras.Name(...) (value of type keras.NameOption) as
// layers.Option value".
type NameOption string

// Name names an input (in [Input] and [InputShape]) or a model (in [NewModel]), as Keras's
// name= argument does:
//
//	x := keras.Input(keras.Shape{784}, keras.Name("pixels"))
//	m, err := keras.NewModel(keras.Inputs(x), keras.Outputs(y), keras.Name("encoder"))
//
// An input's name is its tensor's name and the key of its data in [Named]; a model's name is
// what Summary, saved configs and TensorBoard show, and the layer name of the model when it
// is nested in another (the default is "functional", "functional_1", ...). Name a layer with
// layers.Name instead: layers.Dense(10, layers.Name("logits")).
func Name(name string) NameOption { return NameOption(name) }

func (n NameOption) applyInput(c *inputConfig) { c.name = string(n) }

func (n NameOption) applyModel(c *modelConfig) { c.name = string(n) }
