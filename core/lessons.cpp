// The built-in lessons' data. The first seven are the seed notebooks' worked examples with the
// numbers the notebooks printed; the rest show one option each (stride, dilation, reflect, groups,
// average pooling with ceil_mode) on the same small input so a student can compare. Then the
// command line's own: transposed convolution, NumPy's and SciPy's convolutions, Keras's 'same'.
#include "lessons.hpp"

#include "conv2d.hpp"
#include "keras.hpp"

namespace cs {

namespace {

const std::vector<double> kGray5 = {1, 2, 3, 0, 1, 0, 1, 2, 3, 0, 3, 0, 1,
                                    2, 1, 0, 2, 3, 0, 2, 1, 1, 0, 3, 0};
const std::vector<double> kVerticalEdge = {1, 0, -1, 1, 0, -1, 1, 0, -1};
// The seeds' RGB 3×3 input: R = 1..9, G = 9..1, B = a plus sign of ones.
const std::vector<double> kRgb3 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5,
                                   4, 3, 2, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
// Filters of the seeds' 3-filter example, [3, 3, 3, 3] OIHW.
const std::vector<double> kRgbFilters = {
    // output channel 0: R, G, B kernels
    1, 0, -1, 1, 0, -1, 1, 0, -1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1,
    // output channel 1
    1, -1, 1, 1, -1, 1, 1, -1, 1, -1, 1, -1, -1, 1, -1, -1, 1, -1, 0, 0, 1, 0, 0, 1, 0, 0, 1,
    // output channel 2
    0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, -1, 1, 0, -1, 1, 0, -1, -1, 1, -1, -1, 1, -1, -1, 1, -1};

Tensor t(Shape shape, const std::vector<double>& v) {
  return Tensor::from_values(DType::f32, std::move(shape), v);
}

Lesson conv_lesson(std::string name, std::string title, std::string description, Tensor input,
                   Tensor weight, std::optional<Tensor> bias, Conv2dParams params,
                   std::string expected) {
  Lesson l;
  l.name = std::move(name);
  l.title = std::move(title);
  l.description = std::move(description);
  l.op = LessonOp::conv;
  l.input = std::move(input);
  l.weight = std::move(weight);
  l.bias = std::move(bias);
  l.conv = params;
  l.expected = std::move(expected);
  return l;
}

// The operands several lessons share: the seeds' 5×5 grey input, the vertical-edge kernel and a
// zero bias.
Tensor gray5() {
  return t({1, 1, 5, 5}, kGray5);
}
Tensor vertical_edge_kernel() {
  return t({1, 1, 3, 3}, kVerticalEdge);
}
Tensor zero_bias() {
  return t({1}, {0});
}

// The Keras seed in Keras's layout: NHWC input 1×4×4×3 and HWIO kernel 2×2×3×2, no bias.
Conv2dParams keras_params() {
  Conv2dParams keras;
  keras.layout = Layout::nhwc;
  return keras;
}
Tensor keras_input() {
  return t({1, 4, 4, 3}, {1, 0, 2, 2, 1, 0, 0, 1, 1, 1, 2, 0, 0, 1, 1, 1, 0, 2, 2, 2, 1, 0, 0, 1,
                          1, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 2, 2, 0, 1, 1, 1, 1, 0, 2, 2, 1, 0, 0});
}
Tensor keras_kernel() {
  return t({2, 2, 3, 2},
           {1, -1, 0, 1, 1, 0, 0, 1, 1, 0, -1, 1, 1, 0, 0, -1, 1, 1, -1, 1, 0, 0, 1, -1});
}

Lesson vertical_edge() {
  return conv_lesson(
      "vertical-edge",
      "5\xC3\x97"
      "5 grayscale, vertical-edge kernel",
      "The PyTorch seed: one 5\xC3\x97"
      "5 channel, one 3\xC3\x97"
      "3 kernel [1 0 \xE2\x88\x92"
      "1] in "
      "every row, no padding, stride 1. Each output is the left column of the window minus its "
      "right column, so bright-to-dark edges from left to right come out positive.",
      gray5(), vertical_edge_kernel(), zero_bias(), {}, "[[-2, -2, 4], [-3, -2, 3], [0, -2, 1]]");
}

Lesson rgb_2_filters() {
  std::vector<double> f2(kRgbFilters.begin(), kRgbFilters.begin() + 54);
  return conv_lesson(
      "rgb-2-filters",
      "RGB 3\xC3\x97"
      "3, two filters",
      "Three input channels (R, G, B) and two filters, each with one 3\xC3\x97"
      "3 kernel per "
      "channel. Every output adds three partial sums: for filter 0 they are \xE2\x88\x92"
      "6 (R), "
      "15 (G) and 2 (B), so the output is 11.",
      t({1, 3, 3, 3}, kRgb3), t({2, 3, 3, 3}, f2), t({2}, {0, 0}), {}, "[[[11]], [[1]]]");
}

Lesson rgb_3_filters() {
  return conv_lesson(
      "rgb-3-filters",
      "RGB 3\xC3\x97"
      "3, three filters",
      "The same input with a third filter: three output channels, 11, 1 and 26. Step through a "
      "window to see one partial sum per input channel.",
      t({1, 3, 3, 3}, kRgb3), t({3, 3, 3, 3}, kRgbFilters), t({3}, {0, 0, 0}), {},
      "[[[11]], [[1]], [[26]]]");
}

Lesson padding_1() {
  Conv2dParams pad1;
  pad1.padding = PaddingSpec::symmetric(1);
  return conv_lesson(
      "padding-1",
      "Padding 1 keeps 5\xC3\x97"
      "5",
      "The vertical-edge kernel with one ring of zeros around the input: out = (5 + 2\xC2\xB7"
      "1 "
      "\xE2\x88\x92 3) / 1 + 1 = 5, so the output keeps the input's size. Windows at the border "
      "read the padding.",
      gray5(), vertical_edge_kernel(), zero_bias(), pad1,
      "[[-3, -4, 0, 4, 3], [-3, -2, -2, 4, 5], [-3, -3, -2, 3, 5], [-3, 0, -2, 1, 5], "
      "[-3, -2, 0, 1, 3]]");
}

Lesson keras_conv() {
  return conv_lesson("keras-conv",
                     "Keras: 4\xC3\x97"
                     "4\xC3\x97"
                     "3 input, 2\xC3\x97"
                     "2 kernel, 2 filters",
                     "The Keras seed in Keras's own layout: input [N, H, W, C] = 1\xC3\x97"
                     "4\xC3\x97"
                     "4\xC3\x97"
                     "3, "
                     "kernel [KH, KW, C_in, C_out] = 2\xC3\x97"
                     "2\xC3\x97"
                     "3\xC3\x97"
                     "2, no bias. The output is "
                     "1\xC3\x97"
                     "3\xC3\x97"
                     "3\xC3\x97"
                     "2: a 2\xC3\x97"
                     "2 window fits 3 times across 4 cells.",
                     keras_input(), keras_kernel(), std::nullopt, keras_params(),
                     "[[[6, 0], [4, 3], [7, 0]], [[1, 2], [4, 2], [3, 1]], "
                     "[[5, 2], [5, 1], [1, 4]]] (NHWC)");
}

// Pools keras-conv's output, so its input is computed rather than typed.
Lesson keras_pool() {
  Lesson l;
  l.name = "keras-pool";
  l.title =
      "Keras: max pooling 2\xC3\x97"
      "2, stride 2";
  l.description =
      "MaxPool2D(pool_size=(2, 2), strides=(2, 2)) on the 1\xC3\x97"
      "3\xC3\x97"
      "3\xC3\x97"
      "2 "
      "feature maps of keras-conv: out = \xE2\x8C\x8A(3 \xE2\x88\x92 2) / 2\xE2\x8C\x8B + 1 = 1, "
      "so each channel keeps the largest of its top-left 2\xC3\x97"
      "2 block and the last row "
      "and column are never read.";
  l.op = LessonOp::pool;
  auto y = conv2d_reference(keras_input(), keras_kernel(), nullptr, keras_params());
  l.input = y ? *y : Tensor(DType::f32, {1, 3, 3, 2});
  l.pool.op = PoolOp::max;
  l.pool.k_h = l.pool.k_w = 2;
  l.pool.stride_h = l.pool.stride_w = 2;
  l.pool.layout = Layout::nhwc;
  l.expected = "[[[[6, 3]]]] (NHWC)";
  return l;
}

Lesson scipy_laplacian() {
  Conv2dParams same;
  same.padding = PaddingSpec::same();
  Lesson l = conv_lesson(
      "scipy-laplacian", "SciPy: convolve(a, laplacian, mode='same')",
      "scipy.signal.convolve computes a true convolution: the kernel is flipped before it "
      "slides (the Laplacian is symmetric, so flipping changes nothing here). mode='same' is "
      "padding 1 with zeros for a 3\xC3\x97"
      "3 kernel.",
      t({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), t({1, 1, 3, 3}, {0, 1, 0, 1, -4, 1, 0, 1, 0}),
      std::nullopt, same, "[[2, 1, -4], [-3, 0, -7], [-16, -11, -22]]");
  l.flip_kernel = true;
  return l;
}

Lesson stride_2() {
  Conv2dParams stride2;
  stride2.stride_h = stride2.stride_w = 2;
  stride2.padding = PaddingSpec::symmetric(1);
  return conv_lesson("stride-2", "Stride 2 with padding 1",
                     "The window jumps two cells at a time: out = \xE2\x8C\x8A(5 + 2 "
                     "\xE2\x88\x92 3) / 2\xE2\x8C\x8B + 1 = 3.",
                     gray5(), vertical_edge_kernel(), zero_bias(), stride2, "");
}

Lesson dilation_2() {
  Conv2dParams dil2;
  dil2.dilation_h = dil2.dilation_w = 2;
  return conv_lesson("dilation-2", "Dilation 2",
                     "The 3\xC3\x97"
                     "3 kernel's taps are spread two cells apart, so it "
                     "covers 5\xC3\x97"
                     "5 cells with 9 multiplies: out = 5 \xE2\x88\x92 "
                     "2\xC2\xB7(3 \xE2\x88\x92 1) = 1.",
                     gray5(), vertical_edge_kernel(), zero_bias(), dil2, "");
}

Lesson reflect_padding() {
  Conv2dParams refl;
  refl.padding = PaddingSpec::symmetric(1);
  refl.padding_mode = PaddingMode::reflect;
  return conv_lesson("reflect-padding", "Reflect padding",
                     "padding_mode='reflect' fills the ring by mirroring the input without "
                     "repeating the edge: the cell left of column 0 reads column 1.",
                     gray5(), vertical_edge_kernel(), zero_bias(), refl, "");
}

// Each output channel's kernel is the seeds' kernel for that colour in filter c (the diagonal of
// the 3-filter example: R of filter 0, G of filter 1, B of filter 2).
Lesson depthwise() {
  Conv2dParams depthwise;
  depthwise.groups = 3;
  depthwise.padding = PaddingSpec::symmetric(1);
  std::vector<double> dw_values;
  for (int c = 0; c < 3; ++c)
    dw_values.insert(dw_values.end(), kRgbFilters.begin() + 9 * (4 * c),
                     kRgbFilters.begin() + 9 * (4 * c) + 9);
  return conv_lesson("depthwise", "Depthwise (groups = 3)",
                     "groups = C_in: each output channel sees only its own input channel, "
                     "so every window has one partial sum, not three.",
                     t({1, 3, 3, 3}, kRgb3), t({3, 1, 3, 3}, dw_values), t({3}, {0, 0, 0}),
                     depthwise, "");
}

Lesson avg_pool_ceil() {
  Lesson l;
  l.name = "avg-pool-ceil";
  l.title =
      "Average pooling 2\xC3\x97"
      "2, stride 2, ceil_mode";
  l.description =
      "With ceil_mode the output rounds up, so a last window hangs over the edge; PyTorch "
      "divides it by the cells it actually covers inside the padded input.";
  l.op = LessonOp::pool;
  l.input = gray5();
  l.pool.op = PoolOp::avg;
  l.pool.k_h = l.pool.k_w = 2;
  l.pool.ceil_mode = true;
  return l;
}

// A transposed-convolution lesson, one channel in and out, no bias.
Lesson transpose_lesson(std::string name, std::string title, std::string description, Tensor input,
                        Tensor weight, ConvTranspose2dParams params) {
  Lesson l;
  l.name = std::move(name);
  l.title = std::move(title);
  l.description = std::move(description);
  l.op = LessonOp::conv_transpose;
  l.input = std::move(input);
  l.weight = std::move(weight);
  l.transpose = params;
  return l;
}

// conv_arithmetic's "no padding, unit strides, transposed": 2×2 => 4×4, the transpose of a 3×3
// kernel sliding over 4×4.
Lesson transpose_unit() {
  return transpose_lesson(
      "transpose-unit", "Transposed convolution: no padding, unit stride",
      "Each of the 2\xC3\x97"
      "2 input cells stamps the 3\xC3\x97"
      "3 kernel, times its value, onto a 4\xC3\x97"
      "4 output; overlapping stamps add. Read the other way (gather), every output is a "
      "stride-1 convolution of the kernel rotated 180\xC2\xB0 over the input padded with "
      "dilation\xC2\xB7(k \xE2\x88\x92 1) = 2 zeros on each side: out = (2 \xE2\x88\x92 "
      "1)\xC2\xB7"
      "1 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 = 4, the size a 3\xC3\x97"
      "3 conv shrank to 2\xC3\x97"
      "2.",
      t({1, 1, 2, 2}, {2, 1, 0, 3}), t({1, 1, 3, 3}, kVerticalEdge), ConvTranspose2dParams{});
}

// stride 2, padding 1, output_padding 1: 3×3 => 6×6, the input shape of a stride-2 conv
// (3×3 kernel, padding 1) that made 3×3 from 6×6.
Lesson transpose_stride_2() {
  ConvTranspose2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  p.output_padding_h = p.output_padding_w = 1;
  return transpose_lesson(
      "transpose-stride-2", "Transposed convolution: stride 2, output_padding 1",
      "A 3\xC3\x97"
      "3 conv with stride 2 and padding 1 maps both 5\xC3\x97"
      "5 and 6\xC3\x97"
      "6 inputs to 3\xC3\x97"
      "3. Its transpose stamps every input cell two cells apart and crops 1 from each side, "
      "giving back 5\xC3\x97"
      "5; output_padding 1 adds the row and column that make it 6\xC3\x97"
      "6: out = (3 \xE2\x88\x92 1)\xC2\xB7"
      "2 \xE2\x88\x92 2\xC2\xB7"
      "1 + 1\xC2\xB7(3 \xE2\x88\x92 1) + 1 + 1 = 6. Read as gather, the input has one zero "
      "stuffed between cells.",
      t({1, 1, 3, 3}, {1, 0, 2, 0, 3, 0, 2, 0, 1}), t({1, 1, 3, 3}, kVerticalEdge), p);
}

// The seed PyTorch notebook's np.convolve(a, v, mode) with a = [1, 2, 3], v = [0, 1, 0.5], as a
// conv of height 1 (what `convscope conv1d --flip` computes). `expected`: what the notebook
// printed, for 'full' only.
Lesson np_convolve(const char* mode, PaddingSpec padding, const char* how, const char* expected) {
  Conv2dParams p;
  p.padding = padding;
  Lesson l = conv_lesson(
      std::string("np-convolve-") + mode,
      std::string("NumPy: np.convolve(a, v, mode='") + mode + "')",
      std::string("The seed notebook's np.convolve([1, 2, 3], [0, 1, 0.5], mode='") + mode +
          "'). A true convolution: v is reversed to [0.5, 1, 0] before it slides (PyTorch's "
          "conv1d slides it as written, so the lesson flips it first). " +
          how + " `convscope conv1d --input a.npy --weight v.npy --flip --padding " + mode +
          "` writes the same numbers.",
      t({1, 1, 1, 3}, {1, 2, 3}), t({1, 1, 1, 3}, {0, 1, 0.5}), std::nullopt, p, expected);
  l.flip_kernel = true;
  return l;
}

// scipy.signal.convolve2d(a, laplacian, mode='full'): the seed's 'same' example, every overlap.
Lesson scipy_convolve_full() {
  Conv2dParams full;
  full.padding = PaddingSpec::full();
  Lesson l = conv_lesson(
      "scipy-convolve-full", "SciPy: convolve2d(a, laplacian, mode='full')",
      "The seed notebook's SciPy example with mode='full': every position where the kernel and "
      "the input overlap at all, so the input is padded with k \xE2\x88\x92 1 = 2 zeros on "
      "every side and the 3\xC3\x97"
      "3 input gives 3 + 3 \xE2\x88\x92 1 = 5 rows and columns. The middle 3\xC3\x97"
      "3 is mode='same'.",
      t({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), t({1, 1, 3, 3}, {0, 1, 0, 1, -4, 1, 0, 1, 0}),
      std::nullopt, full, "");
  l.flip_kernel = true;
  return l;
}

// Keras's Conv2D(1, 3, strides=2, padding='same') on the seed's 5×5 input cut to 4×4, under
// Keras's rules: the padding follows TensorFlow's 'same' as the student edits (core/keras.hpp).
Lesson keras_same_stride_2() {
  const Tensor input = t({1, 4, 4, 1}, {1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 0, 2, 3, 0});
  const Tensor kernel = t({3, 3, 1, 1}, kVerticalEdge);
  Conv2dParams asked = keras_params();
  asked.stride_h = asked.stride_w = 2;
  asked.padding = PaddingSpec::same();  // what PyTorch's rules would be asked (and refuse)
  Lesson l = conv_lesson(
      "keras-same-stride-2", "Keras: Conv2D(strides=2, padding='same')",
      "PyTorch refuses padding='same' with stride 2; Keras follows TensorFlow: out = \xE2\x8C\x88"
      "in / stride\xE2\x8C\x89 = \xE2\x8C\x88"
      "4 / 2\xE2\x8C\x89 = 2, and the padding is max((out \xE2\x88\x92 1)\xC2\xB7stride + "
      "k \xE2\x88\x92 in, 0) = max(1\xC2\xB7"
      "2 + 3 \xE2\x88\x92 4, 0) = 1 row (and column), the odd one at the bottom (right): top "
      "0, bottom 1. The seed's 4\xC3\x97"
      "4 corner with the vertical-edge kernel, under Keras's rules: change the stride or the "
      "kernel and the padding follows the rule.",
      input, kernel, std::nullopt, asked, "");
  l.framework = Framework::keras;
  l.keras_padding = KerasPadding::same;
  return l;
}

// Keras's pooling with padding='same' on keras-conv's 3×3×2 feature maps, under Keras's rules.
Lesson keras_pool_same(PoolOp op) {
  const bool max = op == PoolOp::max;
  Lesson l;
  l.name = max ? "keras-maxpool-same" : "keras-avgpool-same";
  l.title =
      max ? "Keras: MaxPooling2D(2, padding='same')" : "Keras: AveragePooling2D(2, padding='same')";
  l.description =
      max ? "keras-pool with padding='same': out = \xE2\x8C\x88"
            "3 / 2\xE2\x8C\x89 = 2, padding max(1\xC2\xB7"
            "2 + 2 \xE2\x88\x92 3, 0) = 1 at the bottom and the right. TensorFlow pads with "
            "\xE2\x88\x92\xE2\x88\x9E, so the padding never wins the max: the last window is the "
            "single cell it covers."
          : "Average pooling with padding='same' divides each window by the cells of the input "
            "it covers, never by the window size: the top-left window averages 4 cells, the "
            "right and bottom ones 2, the corner 1 (PyTorch's default would count the padding "
            "as zeros).";
  l.op = LessonOp::pool;
  auto y = conv2d_reference(keras_input(), keras_kernel(), nullptr, keras_params());
  l.input = y ? *y : Tensor(DType::f32, {1, 3, 3, 2});
  l.pool.op = op;
  l.pool.k_h = l.pool.k_w = 2;
  l.pool.layout = Layout::nhwc;
  l.framework = Framework::keras;  // 'same' resolved by lesson_as_run, and as the student edits
  l.keras_padding = KerasPadding::same;
  return l;
}

// In menu order: the seeds' examples first, then one option each.
std::vector<Lesson> make_lessons() {
  return {vertical_edge(), rgb_2_filters(),   rgb_3_filters(),   padding_1(),
          keras_conv(),    keras_pool(),      scipy_laplacian(), stride_2(),
          dilation_2(),    reflect_padding(), depthwise(),       avg_pool_ceil()};
}

}  // namespace

const std::vector<Lesson>& builtin_lessons() {
  static const std::vector<Lesson> lessons = make_lessons();
  return lessons;
}

const std::vector<Lesson>& text_lessons() {
  static const std::vector<Lesson> lessons = {transpose_unit(), transpose_stride_2()};
  return lessons;
}

const std::vector<Lesson>& text_conv_lessons() {
  static const std::vector<Lesson> lessons = {
      np_convolve("full", PaddingSpec::full(),
                  "mode='full' keeps every position where the two overlap at all: a is padded "
                  "with len(v) \xE2\x88\x92 1 = 2 zeros at each end and there are 3 + 3 "
                  "\xE2\x88\x92 1 = 5 outputs.",
                  "[0, 1, 2.5, 4, 1.5]"),
      np_convolve("same", PaddingSpec::same(),
                  "mode='same' keeps len(a) = 3 outputs, the middle of 'full': one zero at each "
                  "end (for an even kernel NumPy puts the odd zero at the start, and so does "
                  "conv1d --flip).",
                  ""),
      np_convolve("valid", PaddingSpec::valid(),
                  "mode='valid' keeps only the positions where v lies wholly inside a: 3 "
                  "\xE2\x88\x92 3 + 1 = 1 output.",
                  ""),
      scipy_convolve_full(),
      keras_same_stride_2(),
      keras_pool_same(PoolOp::max),
      keras_pool_same(PoolOp::avg)};
  return lessons;
}

namespace {

Result<Lesson> find_in(const std::string& name,
                       std::initializer_list<const std::vector<Lesson>*> lists) {
  std::string names;
  for (const std::vector<Lesson>* list : lists) {
    for (const auto& l : *list) {
      if (l.name == name) return l;
      names += (names.empty() ? "" : ", ") + l.name;
    }
  }
  return make_error("unknown lesson '" + name + "'; choose one of: " + names, "lesson");
}

}  // namespace

Status check_lesson_framework(LessonOp op, Framework framework) {
  if (op != LessonOp::conv_transpose || framework == Framework::pytorch) return ok();
  return make_error(
      "The window draws Keras's rules for Conv2D and pooling only: Keras's Conv2DTranspose "
      "crops its output, which the transposed lesson cannot show; use PyTorch's rules here, or "
      "`convscope conv-transpose --framework keras`",
      "framework");
}

Result<Lesson> lesson_as_run(const Lesson& lesson) {
  if (auto st = check_lesson_framework(lesson.op, lesson.framework); !st) return st.error();
  if (lesson.framework == Framework::pytorch) return lesson;
  Lesson run = lesson;
  if (lesson.op == LessonOp::pool) {
    auto p = pool2d_params_under(lesson.framework, lesson.keras_padding, lesson.pool,
                                 lesson.input.shape());
    if (!p) return p.error();
    run.pool = *p;
    return run;
  }
  auto p = conv2d_params_under(lesson.framework, lesson.keras_padding, lesson.conv,
                               lesson.input.shape(), lesson.weight.shape());
  if (!p) return p.error();
  run.conv = *p;
  return run;
}

Result<Lesson> find_lesson(const std::string& name) {
  return find_in(name, {&builtin_lessons()});
}

Result<Lesson> find_any_lesson(const std::string& name) {
  return find_in(name, {&builtin_lessons(), &text_lessons(), &text_conv_lessons()});
}

}  // namespace cs
