package mnistlib

// The language of what the library draws and prints: English, or Chinese for
// the Chinese edition of the notebooks (notebooks/zh). Every label and message
// goes through tr, which looks the English text up in zhText, the one
// catalogue of the library's Chinese. (What a notebook's own cells print is
// translated with the notebook: translations/zh, scripts/zh_edition.py.)

import (
	"os"
	"path/filepath"
	"strings"
)

// Language is the language of the charts' and pictures' labels: "zh" or "en".
//
// WORKBOOK_LANG=zh or WORKBOOK_LANG=en chooses. Without it, a notebook run from
// a folder named zh (the Chinese edition, notebooks/zh/) is Chinese: GoNB puts
// the notebook's folder in GONB_DIR for the cell programs it runs, and the
// working directory's name is checked too. Anything else is English.
//
// What the library draws and prints follows it ("saved to", "loaded", the
// charts' labels), except Keras-style text: Fit's epoch lines and Summary stay
// English, as Keras prints them; and the accuracy chart Fit draws is the
// tutorial's, in Chinese, in either language.
func Language() string {
	switch lang := strings.ToLower(strings.TrimSpace(os.Getenv(envLang))); {
	case lang == "zh" || strings.HasPrefix(lang, "zh-") || strings.HasPrefix(lang, "zh_"):
		return "zh"
	case lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_"):
		return "en"
	}
	if dir := os.Getenv(envGoNBDir); dir != "" && filepath.Base(dir) == "zh" {
		return "zh"
	}
	if wd, err := os.Getwd(); err == nil && filepath.Base(wd) == "zh" {
		return "zh"
	}
	return "en"
}

// tr returns the label s in the workbook's language: s itself in English,
// its entry in zhText in Chinese (s itself when it has none: a name, a
// number). A format keeps its verbs, so fmt.Sprintf(tr(format), args...)
// works in both.
func tr(s string) string {
	if Language() != "zh" {
		return s
	}
	if z, ok := zhText[s]; ok {
		return z
	}
	return s
}

// zhText is the Chinese of every English label the library draws, formats
// with the same verbs in the same order. Its words are the tutorial's: 权重,
// 偏差, 神经单元, 卷积核 (also called 滤镜), 特征图, 填充, 训练次数.
var zhText = map[string]string{
	// The training history (history.go), in the words of the tutorial's
	// accuracy chart, which is already Chinese in both editions.
	"Training history":       tutorialChartTitle,
	"Training history: loss": "训练历史：损失",
	"epoch":                  tutorialEpoch,
	"accuracy":               tutorialAccuracy,
	"loss":                   "损失",
	"train accuracy":         tutorialTrainAccuracy,
	"validation accuracy":    tutorialValAccuracy,
	"train loss":             "训练损失",
	"validation loss":        "验证损失",
	"chart: %s":              "图表：%s",

	// Probabilities (probchart.go), galleries (show.go, saliency.go) and the
	// confusion matrix (evaluation.go). Fashion-MNIST's classes by their usual
	// Chinese names.
	"%s: %d (%.0f%%)":               "%s：预测 %d（%.0f%%）",
	"%s: unsure, %d (%.0f%%) or %d": "%s：不确定，%d（%.0f%%）还是 %d",
	"probabilities: %s":             "概率：%s",
	"%s->%s":                        "%s 预测为 %s",
	"confusion matrix: rows = true digit, columns = predicted": "混淆矩阵：每行是真实数字，每列是预测数字",
	"T-shirt/top": "T恤/上衣", "Trouser": "裤子", "Pullover": "套头衫", "Dress": "连衣裙", "Coat": "外套",
	"Sandal": "凉鞋", "Shirt": "衬衫", "Sneaker": "运动鞋", "Bag": "包", "Ankle boot": "短靴",
	// The saliency gallery's scale (saliency.go): 显著图, 百分位.
	"|gradient| of the winning score, each map on its own scale": "|梯度|：胜出数字的分数对像素的梯度，每张图按自己的范围着色",
	"80th percentile":            "第 80 百分位",
	"99th percentile":            "第 99 百分位",
	"saliency maps of %d digits": "%d 个数字的显著图",

	// How a network learns (learnpicture.go, notebook 04b): the loss, the
	// gradient, ReLU's gate, the slider over the steps; 损失函数, 梯度, 学习率.
	"%s: true digit %d, p = %.4f, loss −log p = %.4f": "%s：真实数字 %d，p = %.4f，损失 −log p = %.4f",
	"sure and right":       "有把握且正确",
	"right but unsure":     "正确但没把握",
	"wrong":                "预测错误",
	"true digit: %d":       "真实数字：%d",
	"loss = −log p = %.4f": "损失 = −log p = %.4f",
	"the error (probabilities − one-hot label of %d): %.4f; digit %d's %d weights are asked to change by −hidden × %.4f": "误差（概率 − 数字 %d 的独热编码标签）：%.4f；数字 %d 的 %d 个权重被要求改变 −隐藏值 × %.4f",
	"the error of each score: p − y (true digit %d)":                                                                     "每个分数的误差：p − y（真实数字 %d）",
	"digit %d's %d weights: −h × error":                                                                                  "数字 %d 的 %d 个权重：−h × 误差",
	"one square per hidden unit (%d×%d)":                                                                                 "每个方格是一个隐藏层神经单元（%d×%d）",
	"change asked":                                                                                                       "要求的改变",
	"the gradient of each unit's 784 weights for this digit":                                                             "这个数字给每个神经单元的 784 个权重的梯度",
	"gradient":                                    "梯度",
	"unit %d: ReLU passes":                        "神经单元 %d：ReLU 放行",
	"unit %d: ReLU gives 0":                       "神经单元 %d：ReLU 给出 0",
	"step %d of %d: %s":                           "第 %d 步（共 %d 步）：%s",
	"the random start, before any step":           "随机的起点，一步也还没走",
	"after step %d of %d: this batch's loss %.3f": "第 %d 步之后（共 %d 步）：这一批的损失 %.3f",
	"each step's batch":                           "每一步的一批",
	"this step":                                   "这一步",
	"step (one batch of 200 each)":                "步（每步一批 200 张图片）",
	"%s: what training changed, the weights − the random start": "%s：训练改变了什么，权重 − 随机的起点",
	"change": "改变",

	// Weight templates, filters and feature maps (grid.go).
	"%s (%d images)": "%s（%d 张图）",
	"%s: the weights of %d units, each a 28×28 template": "%s：%d 个神经单元的权重，每个都是一张 28×28 的模板",
	"unit %d":                           "神经单元 %d",
	"%s: its %d learned %d×%d filters":  "%s：学到的 %d 个 %d×%d 卷积核（滤镜）",
	" (input channel 0 of %d)":          "（%d 个输入通道中的第 0 个）",
	"filter %d":                         "卷积核 %d",
	"%s (%s): %d feature maps of %d×%d": "%s（%s）：%d 个 %d×%d 的特征图",
	"map %d":                            "特征图 %d",
	"weight":                            "权重",
	"activation":                        "激活值",

	// The arithmetic by hand (byhandpicture.go).
	"unit %d: Σ w·x = %.3f, + b (%.3f) = %.3f, ReLU → %.3f":             "神经单元 %d：Σ w·x = %.3f，+ b（%.3f）= %.3f，ReLU → %.3f",
	"%s: the digit × each unit's weights → a sum, + bias, through ReLU": "%s：数字 × 每个神经单元的权重 → 加权和，+ 偏差，经过激活函数 ReLU",
	"the digit x":          "数字 x",
	"unit %d's weights w":  "神经单元 %d 的权重 w",
	"+ bias (%.3f) = %.3f": "+ 偏差（%.3f）= %.3f",
	"ReLU passes it":       "ReLU 让它通过",
	"ReLU turns it to 0":   "ReLU 把它变成 0",
	"weights and products, each on its own scale (−largest … +largest)":              "权重与乘积，各按自己的范围着色（−最大值 … +最大值）",
	"scores %.2f → softmax → probabilities %.4f":                                     "分数 %.2f → softmax → 概率 %.4f",
	"the ten scores (Σ w·h + b)":                                                     "十个分数（Σ w·h + b）",
	"%s, filter %d at (%d, %d): Σ patch × kernel = %.4f, + bias (%.4f), ReLU → %.4f": "%s，卷积核 %d 在 (%d, %d)：Σ 区块 × 卷积核 = %.4f，+ 偏差（%.4f），ReLU → %.4f",
	"the digit, and the 'same' padding:":                                             "数字，加上 'same' 填充：",
	"a ring of %d zeros (gray) around it":                                            "四周补 %d 圈 0（灰色）",
	"the 5×5 patch":                                                                  "5×5 的区块",
	"filter %d's kernel":                                                             "卷积核 %d 的权重",
	"patch × kernel":                                                                 "区块 × 卷积核",
	"+ bias %.4f":                                                                    "+ 偏差 %.4f",
	"feature map %d":                                                                 "特征图 %d",
	"%s: %d×%d×%d → one row of %s values → %s: %s = %s weights":                      "%s：%d×%d×%d → 一行 %s 个值 → %s：%s = %s 个权重",
	"the %d maps of %s, %d×%d each:":                                                 "%d 个特征图（%s 的输出），每个 %d×%d：",
	"%s: all %s values in one row (value k is map k mod %d at pixel k div %d):":      "%s：全部 %s 个值排成一行（第 k 个值是特征图 k mod %d 在像素 k div %d 处的值）：",
	"values %d to %d, enlarged: pixel (%d,%d) of every map, then (%d,%d), then (%d,%d):": "放大第 %d 到 %d 个值：每个特征图的像素 (%d,%d)，然后 (%d,%d)，然后 (%d,%d)：",

	// Where the code ShowCode shows is (source.go).
	"mnistlib/%s, lines %d to %d": "mnistlib/%s，第 %d 到 %d 行",

	// The four kinds of pooling (PoolingPicture): "%s pooling" names each kind.
	"%s, feature map %d (%d×%d), pooled over 2×2 blocks into %d×%d":         "%s 的特征图 %d（%d×%d），按 2×2 区块池化成 %d×%d",
	"the orange block, rows %d–%d and columns %d–%d: %.4f %.4f / %.4f %.4f": "橙色区块（第 %d–%d 行、第 %d–%d 列）：%.4f %.4f / %.4f %.4f",
	"%s pooling": "%s池化",
	"max":        "最大",
	"average":    "平均",
	"min":        "最小",

	// What training, loading and the backend print (fit.go, variants.go,
	// backend.go, history.go); Fit's epoch lines and Summary stay as Keras
	// prints them, in English, as the tutorial shows them.
	"saved to %s": "已保存到 %s",
	"quick mode ($%s): %d epochs instead of %d":          "快速模式（$%s）：训练 %d 次，而不是 %d 次",
	"training anew: checkpoint %s cannot be loaded (%v)": "重新训练：检查点 %s 无法载入（%v）",
	"training anew: %v":                                  "重新训练：%v",
	"%s holds another model or training: it is kept beside this one (mnistlib.Variants(%q) lists them)": "%s 里是另一个模型或另一种训练：它会保留在这个模型旁边（mnistlib.Variants(%q) 列出它们）",
	"loaded %s: this model, trained earlier with these options (%s; change a number to train again)":    "已载入 %s：这个模型之前用同样的选项训练过（%s；改动一个数字就会重新训练）",
	"the model stays where it was (%s): %v":                                                             "模型留在原处（%s）：%v",
	"it is the current model of %s again (%s)":                                                          "它又是 %s 的当前模型了（%s）",
	"the model that was in %s could not be kept (%v): it is replaced":                                   "原来在 %s 里的模型无法保留（%v）：它被替换了",
	"dropped the oldest model kept under %s (%s): at most %d are kept besides the current one":          "删除了 %s 下保留的最旧的模型（%s）：除了当前模型，最多保留 %d 个",
	"%d epochs, validation accuracy %.4f":                                                               "训练 %d 次，验证准确率 %.4f",
	"%d epochs, training accuracy %.4f":                                                                 "训练 %d 次，训练准确率 %.4f",
	"1 epoch, validation accuracy %.4f":                                                                 "训练 1 次，验证准确率 %.4f",
	"1 epoch, training accuracy %.4f":                                                                   "训练 1 次，训练准确率 %.4f",
	"not trained":                                                                                       "未训练",
	"backend:":                                                                                          "后端：",
	"backend: %s (%s)":                                                                                  "后端：%s（%s）",
	"%s (%s)":                                                                                           "%s（%s）",
	"none yet":                                                                                          "还没有",
	"chosen by SetBackend":                                                                              "由 SetBackend 选定",
	"XLA's CPU plugin found in $PJRT_PLUGIN_LIBRARY_PATH":                                               "在 $PJRT_PLUGIN_LIBRARY_PATH 中找到了 XLA 的 CPU 插件",
	"pure Go; XLA's CPU plugin was not found: run `make setup` or set PJRT_PLUGIN_LIBRARY_PATH": "纯 Go；没有找到 XLA 的 CPU 插件：运行 `make setup` 或设置 PJRT_PLUGIN_LIBRARY_PATH",
	"slider closed: %s":                                    "滑块已关闭：%s",
	"drawing pad closed: %s":                               "画板已关闭：%s",
	"the kernel was interrupted":                           "内核被中断了",
	"the page stopped answering (the notebook was closed)": "页面不再回应（笔记本已关闭）",
	"the pad stopped answering (the notebook was closed)":  "画板不再回应（笔记本已关闭）",

	// Where the data was read from (Data.Source: load.go, fetch.go).
	"cache %s":     "缓存 %s",
	"folder %s":    "文件夹 %s",
	" (IDX files)": "（IDX 文件）",

	// Comparisons the notebooks print (words.go).
	"%.4f higher than %s": "比%[2]s高 %.4[1]f",
	"%.4f lower than %s":  "比%[2]s低 %.4[1]f",
	"the same as %s":      "与%s相同",

	// Maps of the digits (digitmap.go).
	"%.0f%% nearest their own digit's centre":     "%.0f%% 离自己数字的中心最近",
	"%s: %.0f%% nearest their own digit's centre": "%s：%.0f%% 离自己数字的中心最近",
	"2-D maps (PCA) of %d test digits: %s":        "%d 个测试数字的二维图（主成分分析）：%s",
	"; ":                                          "；",

	// The slider (explore.go) and the drawing pad (pad.go, pad.js).
	"%s: %d": "%s：%d",
	"%s (the slider, %d to %d, needs this notebook open in JupyterLab)":                                 "%s（滑块从 %d 到 %d，需要在 JupyterLab 中打开这个笔记本）",
	"(the slider, %d to %d, got no answer from the browser: it needs this notebook open in JupyterLab)": "（滑块从 %d 到 %d，没有收到浏览器的回应：需要在 JupyterLab 中打开这个笔记本）",
	"(no picture for %s: %v)": "（%s 没有图：%v）",
	"Not connected: run this cell in JupyterLab to use the slider.":                                                                            "未连接：在 JupyterLab 中运行这个单元格才能使用滑块。",
	"The drawing pad needs this notebook open in JupyterLab (it runs in the browser). Here is what it shows for a digit drawn by the program:": "画板需要在 JupyterLab 中打开这个笔记本（它在浏览器里运行）。下面是它对程序画的一个数字的显示：",
	"The drawing pad got no answer from the browser (it needs JupyterLab). Here is what it shows for a digit drawn by the program:":            "画板没有收到浏览器的回应（它需要 JupyterLab）。下面是它对程序画的一个数字的显示：",
	"sample drawing of a 2: %s": "程序画的 2：%s",
	"(the model's input and the probabilities appear here once you draw)":  "（画好数字后，模型的输入和概率会显示在这里）",
	"the model's input: 28×28 pixels":                                      "模型的输入：28×28 像素",
	"your last drawing and the model's input":                              "你最后画的数字和模型的输入",
	"(the pad was empty when it closed)":                                   "（画板关闭时是空的）",
	"too little ink to read: draw the digit larger, or with a thicker pen": "墨迹太少，无法识别：请把数字画大一些，或者用粗一点的笔",
	"clear":     "清除",
	"Starting…": "启动中…",
	"Not connected: run this cell in JupyterLab to draw.": "未连接：在 JupyterLab 中运行这个单元格才能画数字。",
	"Draw a digit in the black square.":                   "在黑色方框里画一个数字。",
}
