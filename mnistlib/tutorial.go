package mnistlib

// The tutorial's models and training, for the bench, the tests and the
// comparison notebook. Notebooks 04, 06 and 08 write the same lines out (a
// notebook test checks that they build the same models).

import "errors"

// TutorialMLP is the tutorial's MLP: 784 → Dense(256, relu) → Dense(10, softmax).
func TutorialMLP() *Model {
	model := NewSequential()
	model.Add(Dense{Units: 256, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	model.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	return model
}

// TutorialMLPDropout is the MLP with Dropout(0.5) after its hidden layer.
func TutorialMLPDropout() *Model {
	model := NewSequential()
	model.Add(Dense{Units: 256, InputDim: 784, KernelInitializer: "normal", Activation: "relu"})
	model.Add(Dropout{Rate: 0.5})
	model.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	return model
}

// TutorialCNN is the tutorial's CNN. With dropout false it leaves out the
// Dropout(0.5) line, to see how much the CNN overfits without it.
func TutorialCNN(dropout bool) *Model {
	model := NewSequential()
	model.Add(Conv2D{Filters: 16, KernelSize: [2]int{5, 5}, Padding: "same", InputShape: []int{28, 28, 1}, Activation: "relu"})
	model.Add(MaxPooling2D{PoolSize: [2]int{2, 2}})
	model.Add(Flatten{})
	model.Add(Dense{Units: 128, KernelInitializer: "normal", Activation: "relu"})
	if dropout {
		model.Add(Dropout{Rate: 0.5})
	}
	model.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	return model
}

// TutorialDeepCNN is "making the CNN better" (notebook 08): a common deeper
// variant of the tutorial's CNN that the workbook adds (the tutorial stops at
// one block), two conv/pool blocks (16 and 36 filters) with Dropout(0.25)
// after each pool.
func TutorialDeepCNN() *Model {
	model := NewSequential()
	model.Add(Conv2D{Filters: 16, KernelSize: [2]int{5, 5}, Padding: "same", InputShape: []int{28, 28, 1}, Activation: "relu"})
	model.Add(MaxPooling2D{PoolSize: [2]int{2, 2}})
	model.Add(Dropout{Rate: 0.25})
	model.Add(Conv2D{Filters: 36, KernelSize: [2]int{5, 5}, Padding: "same", Activation: "relu"})
	model.Add(MaxPooling2D{PoolSize: [2]int{2, 2}})
	model.Add(Dropout{Rate: 0.25})
	model.Add(Flatten{})
	model.Add(Dense{Units: 128, KernelInitializer: "normal", Activation: "relu"})
	model.Add(Dropout{Rate: 0.5})
	model.Add(Dense{Units: 10, KernelInitializer: "normal", Activation: "softmax"})
	return model
}

// TutorialFit is the tutorial's model.fit options: validation_split=0.2,
// epochs=10, batch_size=200; checkpoint names the folder to save it in.
func TutorialFit(checkpoint string) FitOptions {
	return FitOptions{ValidationSplit: 0.2, Epochs: 10, BatchSize: 200, Checkpoint: checkpoint}
}

// RobustAugmentation is notebook 10's data augmentation, for both CNNs it
// trains on changed digits (the notebook writes it out; a notebook test checks
// that its checkpoints were trained with this one). Of the mixes bench/ tried
// on the outside digits it did best with the tutorial's CNN, and cost neither
// CNN accuracy on MNIST's test set (bench/RESULTS.md); all distortions at
// full strength did worse than none.
var RobustAugmentation = Augmentation{Shift: 1, Rotate: 15, Scale: 0.1, Thickness: 1.5,
	Elastic: 34, ElasticSigma: 6, Shear: 10, Keep: 0.25}

// RobustCNN is the workbook's most robust model, notebook 10's
// deep_cnn_augmented: the two-block CNN of 08 (TutorialDeepCNN) with the
// tutorial's fit and RobustAugmentation. It is loaded from its checkpoint when
// 10 (or an earlier call) trained it, and trained now otherwise, with a
// progress bar but no epoch lines or charts: notebook 07 reads a learner's
// picture with it, and the drawing pad shows it; 10 explains its training
// (and trains it, when 07 has not).
func RobustCNN() (*Model, error) {
	fit := TutorialFit("deep_cnn_augmented")
	fit.Augment = RobustAugmentation
	return trainQuietly(TutorialDeepCNN(), fit)
}

// Trained is model (a Tutorial* model, say) trained with the tutorial's fit
// under the checkpoint name, on the data Prepare gives its Kind: loaded from
// that checkpoint when a notebook (or an earlier call) trained the same model
// with the same numbers, trained now otherwise, with a progress bar but no
// epoch lines or charts. Notebook 10 takes the models of 04 and 08 this way,
// without showing their training again.
func Trained(checkpoint string, model *Model) (*Model, error) {
	if model == nil {
		return nil, errors.New("trained: no model (nil): give it one, such as mnistlib.TutorialCNN(true)")
	}
	return trainQuietly(model, TutorialFit(checkpoint))
}

// trainQuietly fits the model as fit says, on the prepared data of its kind,
// printing no epoch lines and drawing no charts.
func trainQuietly(model *Model, fit FitOptions) (*Model, error) {
	d, err := LoadPrepared(model.Kind())
	if err != nil {
		return nil, err
	}
	model.Out = nil
	_, err = model.Fit(d.XTrain, d.YTrain, fit)
	return model, err
}
