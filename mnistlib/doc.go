// Package mnistlib is the library behind the MNIST workbook: it loads the
// data set the way Keras' mnist.load_data() does, from local files first.
package mnistlib
