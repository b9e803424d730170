// Package mnistlib is the library behind the MNIST workbook: the tutorial's Keras
// lines, in Go, on GoMLX.
//
// The data flows in these steps, one file or two each:
//
//  1. LoadData finds MNIST (a folder, the cache, or a fetch) and reads it into
//     Images and Labels: load.go, idx.go, npz.go, fetch.go, dataset.go, data.go.
//  2. Reshape2D / Reshape4D, Normalize and ToCategorical turn them into the
//     tensors a model takes (preprocess.go); LoadPrepared does all of it. As in
//     Keras, a model takes the images laid out as its first layer says (an
//     MLP [N, 784], a CNN [N, 28, 28, 1]) and refuses the other layout.
//  3. A Model is a list of Layers (Dense, Dropout, Conv2D, MaxPooling2D,
//     Flatten; layers.go), added one model.Add line at a time as in Keras, or a
//     GoMLX graph function (FromGraph). It is built into GoMLX graphs on first use
//     (model.go; the convolution, computed the way measured fastest on each
//     backend, is in conv.go), trained by Fit with
//     FitOptions (fit.go), and saved with its layers in a checkpoint
//     (checkpoint.go), which Fit reuses when nothing changed; a checkpoint
//     name keeps the other models trained under it too (variants.go).
//     Fit's Augment option changes each training image a little (augment.go);
//     checkpoints are written atomically under a lock (lock_*.go).
//  4. What the notebooks show: summaries (summary.go), history charts that redraw
//     while training (history.go, chart.go, canvas.go), digits and galleries
//     (show.go, imagefile.go, pen.go), confusion matrices and mistakes
//     (evaluation.go), probabilities and saliency maps (probchart.go,
//     saliency.go), digits from outside MNIST (digitset.go), and the drawing pad
//     (pad.go, pad.js).
//  5. Inside a trained model: its weights by layer and every layer's output
//     (inspect.go), the same arithmetic done by hand in plain Go (byhand.go),
//     and pictures of it: weight templates, filters and feature maps
//     (grid.go), units, softmax, a convolution's pixel, the four kinds of
//     pooling and Flatten (byhandpicture.go), 2-D maps of what layers learned
//     (digitmap.go), all on picture.go's canvas and palette; a slider that
//     redraws one (explore.go).
//  6. How a model learns: the loss of a digit, the gradient of the loss by
//     GoMLX's autodiff (Model.Gradients) and, for the output layer, by hand;
//     an MLP run by hand in float64 to nudge one weight (NetByHand); SetWeights
//     for a step of gradient descent written out; Adam's update written out;
//     Fit's OnBatchEnd for each step's loss (learn.go), and their pictures
//     (learnpicture.go).
//
// The tutorial's own models, for the bench, the tests and the notebooks that
// reuse them (Trained), are in tutorial.go;
// backend.go chooses XLA or pure Go (and, for XLA, tunes glibc's malloc:
// malloc_*.go); workbook.go holds what notebooks share; language.go chooses
// the language of every label drawn (English, or Chinese for notebooks/zh)
// and holds the Chinese of each.
package mnistlib
