// Tests of the quiz ("predict, then reveal") without a window: which question each step asks
// (hand-worked on the built-in lessons), reading and checking answers, tries, hints and the
// reveal, the score per lesson, and holding the stepper before an open question. The window
// itself is tested in ui_window_test.cpp (QuizMode*).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/ui/app_state.hpp"
#include "app/ui/quiz.hpp"
#include "app/ui/ui_quiz.hpp"
#include "app/ui/ui_timeline.hpp"

namespace cs {
namespace {

void open_lesson(AppState& s, const std::string& name) {
  const Status st = load_lesson(s, name);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  ASSERT_TRUE(s.has_trace());
}

// Steps forward by one multiply, as → does, and lets the quiz look (the frame's guard).
void step_forward(AppState& s, StepUnit unit = StepUnit::multiply) {
  s.stepper.step(unit, +1);
  ui::quiz_guard(s);
}

// vertical-edge: input rows 1 2 3 0 1 / 0 1 2 3 0 / 3 0 1 2 1 / ..., kernel [1 0 −1] in each
// row, no padding: output 3×3. Window 0's taps (ky, kx row-major): 1·1, 2·0, 3·(−1), 0·1, 1·0,
// 2·(−1), 3·1, 0·0, 1·(−1) = −2. 10 steps a window (9 multiplies and "value written").
TEST(Quiz, VerticalEdgeAsksTheFieldTheShapeThreeProductsAndEachOutput) {
  AppState s;
  open_lesson(s, "vertical-edge");
  const TraceView& v = *s.trace;
  const std::vector<Question> w0 = window_questions(v, 0);
  ASSERT_EQ(w0.size(), 6u);
  EXPECT_EQ(w0[0].kind, QuestionKind::receptive_field);  // 3×3 kernel, dilation 1: 3×3
  EXPECT_EQ(w0[0].step, 0);
  EXPECT_EQ(w0[0].field_h, 3);
  EXPECT_EQ(w0[0].field_w, 3);
  EXPECT_EQ(w0[1].kind, QuestionKind::shape);
  EXPECT_EQ(w0[1].step, 0);
  EXPECT_EQ(w0[1].out_h, 3);
  EXPECT_EQ(w0[1].out_w, 3);
  const double products[] = {0, -3, 0};  // 2·0, 3·(−1), 0·1
  for (int t = 1; t <= 3; ++t) {
    EXPECT_EQ(w0[t + 1].kind, QuestionKind::product) << t;
    EXPECT_EQ(w0[t + 1].step, t);
    EXPECT_EQ(w0[t + 1].reveal_step, t);
    EXPECT_EQ(w0[t + 1].answer, products[t - 1]) << t;
  }
  EXPECT_EQ(w0[5].kind, QuestionKind::output);
  EXPECT_EQ(w0[5].step, 8);  // the last multiply: "all so far" would show the sum
  EXPECT_EQ(w0[5].reveal_step, 9);
  EXPECT_EQ(w0[5].answer, -2);
  EXPECT_EQ(question_at(v, 0)->kind, QuestionKind::receptive_field);  // the first of step 0
  // Later windows ask their value only: window 2 (y 0, x 2) is 4.
  const std::vector<Question> w2 = window_questions(v, 2);
  ASSERT_EQ(w2.size(), 1u);
  EXPECT_EQ(w2[0].kind, QuestionKind::output);
  EXPECT_EQ(w2[0].step, 28);
  EXPECT_EQ(w2[0].answer, 4);
  EXPECT_FALSE(question_at(v, 4).has_value());
  EXPECT_EQ(question_at(v, 28)->window, 2);
  EXPECT_TRUE(window_questions(v, 9).empty());  // past the last window
}

// rgb-3-filters: three channels summed per window, partials −6, 15, 2 and output 11 (filter 0).
// Each window has 27 multiplies: channel c ends on tap 9c + 8.
TEST(Quiz, SeveralChannelsAskEachPartialButTheLastThenTheOutput) {
  AppState s;
  open_lesson(s, "rgb-3-filters");
  const std::vector<Question> w0 = window_questions(*s.trace, 0);
  ASSERT_EQ(w0.size(), 8u);  // field, shape, 3 products, 2 partials, output
  EXPECT_EQ(w0[5].kind, QuestionKind::partial);
  EXPECT_EQ(w0[5].step, 8);
  EXPECT_EQ(w0[5].channel, 0);
  EXPECT_EQ(w0[5].answer, -6);
  EXPECT_EQ(w0[6].kind, QuestionKind::partial);
  EXPECT_EQ(w0[6].step, 17);
  EXPECT_EQ(w0[6].answer, 15);
  EXPECT_EQ(w0[7].kind, QuestionKind::output);
  EXPECT_EQ(w0[7].step, 26);
  EXPECT_EQ(w0[7].reveal_step, 27);
  EXPECT_EQ(w0[7].answer, 11);
  // Filter 2's window (output 26) starts at step 2·28.
  const std::vector<Question> w2 = window_questions(*s.trace, 2);
  ASSERT_EQ(w2.size(), 3u);
  EXPECT_EQ(w2[0].step, 56 + 8);
  EXPECT_EQ(w2[2].answer, 26);
}

// keras-pool: max pooling 2×2, stride 2 on 3×3 maps: one window of 4 values per channel.
TEST(Quiz, PoolingAsksTheShapeAndEachWindowsMax) {
  AppState s;
  open_lesson(s, "keras-pool");
  const TraceView& v = *s.trace;
  ASSERT_EQ(v.op(), TraceOp::max_pool2d);
  const std::vector<Question> w0 = window_questions(v, 0);
  ASSERT_EQ(w0.size(), 3u);  // no products in pooling
  EXPECT_EQ(w0[0].kind, QuestionKind::receptive_field);
  EXPECT_EQ(w0[0].field_h, 2);
  EXPECT_EQ(w0[0].field_w, 2);
  EXPECT_EQ(w0[1].kind, QuestionKind::shape);
  EXPECT_EQ(w0[1].out_h, 1);
  EXPECT_EQ(w0[2].kind, QuestionKind::pool);
  EXPECT_EQ(w0[2].step, 3);
  EXPECT_EQ(w0[2].reveal_step, 4);
  double largest = -1e9;
  for (const TraceTap& t : v.taps(0))
    largest = std::max(largest, t.x);
  EXPECT_EQ(w0[2].answer, largest);
  EXPECT_EQ(window_questions(v, 1)[0].step, 5 + 3);
}

TEST(Quiz, AnswersAreReadAsStudentsTypeThem) {
  EXPECT_EQ(parse_number_answer("-2"), -2.0);
  EXPECT_EQ(parse_number_answer(" \xE2\x88\x92"
                                "2.5 "),
            -2.5);  // U+2212, the minus ConvScope writes
  EXPECT_EQ(parse_number_answer("7/2"), 3.5);
  EXPECT_EQ(parse_number_answer("1e-3"), 0.001);
  EXPECT_EQ(parse_number_answer("+4"), 4.0);
  for (const char* bad : {"", "abc", "inf", "nan", "0x10", "1/0", "2..5", "3 4", "1/2/3"})
    EXPECT_FALSE(parse_number_answer(bad).has_value()) << bad;
  using HW = std::pair<int64_t, int64_t>;
  for (const char* three : {"3x3", "3×3", "3 X 3", "3,3", "3 3", " 3 * 3 "})
    EXPECT_EQ(parse_shape_answer(three), HW(3, 3)) << three;
  EXPECT_EQ(parse_shape_answer("5×7"), HW(5, 7));
  for (const char* bad : {"3", "3x3x3", "-3x3", "3.5x3", "ax3", ""})
    EXPECT_FALSE(parse_shape_answer(bad).has_value()) << bad;
  EXPECT_TRUE(close_enough(1.0005, 1.0));        // absolute 1e-3
  EXPECT_FALSE(close_enough(1.002, 1.0));        // neither
  EXPECT_TRUE(close_enough(10000.5, 10000.0));   // relative 1e-3
  EXPECT_FALSE(close_enough(10020.0, 10000.0));  // neither
  EXPECT_TRUE(close_enough(2.333, 7.0 / 3.0));   // an average typed to 3 decimals
}

// The whole round on vertical-edge: the receptive field, then the shape, wrong twice (the hint is
// the formula without its result), the third wrong reveals it; then → asks the next product
// instead of moving, a right answer scores and moves on.
TEST(Quiz, TriesHintRevealAndScore) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  ASSERT_TRUE(s.quiz.question().has_value());
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  EXPECT_EQ(s.quiz.submit("3x3", s.stepper), Verdict::right);
  ASSERT_TRUE(s.quiz.question().has_value());  // the shape follows at once, on step 0
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);
  EXPECT_EQ(ui::quiz_prompt(s), "What shape will the output have? Type H×W (rows × columns).");

  EXPECT_EQ(s.quiz.submit("three", s.stepper), Verdict::unreadable);
  EXPECT_EQ(s.quiz.tries(), 0);  // not a try
  EXPECT_EQ(ui::quiz_verdict_text(s), "Type the shape as H×W, e.g. 3×3.");
  EXPECT_EQ(s.quiz.submit("5x5", s.stepper), Verdict::wrong);
  EXPECT_FALSE(s.quiz.hint_due());
  EXPECT_EQ(ui::quiz_verdict_text(s), "Not right: you typed 5x5. Try again: try 2 of 3.");
  EXPECT_EQ(s.quiz.submit("2×2", s.stepper), Verdict::wrong);
  EXPECT_TRUE(s.quiz.hint_due());
  const std::vector<std::string> hint = ui::quiz_hint(s);
  ASSERT_EQ(hint.size(), 2u);
  EXPECT_EQ(hint[0], "out_h = ⌊(5 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1");
  EXPECT_EQ(hint[1], "out_w = ⌊(5 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1");
  EXPECT_EQ(s.quiz.submit("4x4", s.stepper), Verdict::revealed);
  EXPECT_FALSE(s.quiz.question().has_value());
  EXPECT_EQ(ui::quiz_verdict_text(s), "The answer is 3×3 (you typed 4x4).");
  EXPECT_EQ(ui::quiz_reveal(s)[0], hint[0] + " = 3");
  EXPECT_EQ(s.quiz.score().asked, 2);
  EXPECT_EQ(s.quiz.score().right, 1);
  EXPECT_EQ(s.stepper.global(), 0);

  // → onto step 1 (the product 2·0) is held back: the question opens, the stepper stays.
  step_forward(s);
  EXPECT_EQ(s.stepper.global(), 0);
  ASSERT_TRUE(s.quiz.question().has_value());
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::product);
  EXPECT_EQ(ui::quiz_prompt(s), "Next multiply: x[0, 0, 0, 1] · w[0, 0, 0, 1] = ?");
  EXPECT_EQ(ui::quiz_hint(s)[0], "x[0, 0, 0, 1] = 2 and w[0, 0, 0, 1] = 0");
  step_forward(s);  // again: still held
  EXPECT_EQ(s.stepper.global(), 0);
  EXPECT_EQ(s.quiz.submit("0", s.stepper), Verdict::right);
  EXPECT_EQ(s.stepper.global(), 1);  // revealed: the multiply is shown
  EXPECT_EQ(ui::quiz_verdict_text(s), "Right: 0.");
  EXPECT_EQ(ui::quiz_reveal(s)[0], "x[0, 0, 0, 1] · w[0, 0, 0, 1] = 2 · 0 = 0");
  EXPECT_EQ(s.quiz.score().asked, 3);
  EXPECT_EQ(s.quiz.score().right, 2);

  // "?" shows the answer at once (counted wrong); a relative error under 1e-3 is right.
  step_forward(s);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::product);
  EXPECT_EQ(s.quiz.submit("?", s.stepper), Verdict::revealed);
  EXPECT_EQ(ui::quiz_verdict_text(s), "The answer is −3.");
  EXPECT_EQ(s.stepper.global(), 2);
  step_forward(s);
  EXPECT_EQ(s.quiz.submit("0.0004", s.stepper), Verdict::right);
  EXPECT_EQ(s.quiz.score().asked, 5);
  EXPECT_EQ(s.quiz.score().right, 3);
}

// A window's value: a coarse step (Shift+→) stops on the step before the last multiply; the
// hint lists the products, the reveal adds them up and then the bias.
TEST(Quiz, AWindowStepStopsBeforeTheValueAndTheRevealShowsTheArithmetic) {
  AppState s;
  open_lesson(s, "vertical-edge");
  s.stepper.seek(3);  // past the products (a start with --step asks nothing before it)
  ui::set_quiz(s, true);
  EXPECT_FALSE(s.quiz.question().has_value());
  step_forward(s, StepUnit::window);
  EXPECT_EQ(s.stepper.global(), 7);
  ASSERT_TRUE(s.quiz.question().has_value());
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::output);
  EXPECT_EQ(ui::quiz_prompt(s),
            "The value y[0, 0, 0, 0] this window writes (every product, plus the bias) = ?");
  s.quiz.submit("1", s.stepper);
  s.quiz.submit("2", s.stepper);
  const std::vector<std::string> hint = ui::quiz_hint(s);
  ASSERT_EQ(hint.size(), 2u);
  EXPECT_EQ(hint[0], "Channel 0: 1·1 + 2·0 + 3·(−1) + 0·1 + 1·0 + 2·(−1) + 3·1 + 0·0 + 1·(−1)");
  EXPECT_EQ(hint[1], "then add the channels' sums and the bias, 0");
  EXPECT_EQ(s.quiz.submit("\xE2\x88\x92"
                          "2",
                          s.stepper),
            Verdict::right);
  EXPECT_EQ(s.stepper.global(), 9);  // the "value written" step
  const std::vector<std::string> reveal = ui::quiz_reveal(s);
  ASSERT_EQ(reveal.size(), 2u);
  EXPECT_EQ(reveal[0], "1·1 + 2·0 + 3·(−1) + 0·1 + 1·0 + 2·(−1) + 3·1 + 0·0 + 1·(−1) = −2");
  EXPECT_EQ(reveal[1], "(−2) + 0 (bias) = −2");
  // End jumps: held on the step before the next unanswered question (window 1's value, 18).
  s.stepper.end();
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 17);
  EXPECT_EQ(s.quiz.question()->step, 18);
  // Stepping back is allowed and keeps the question open.
  s.stepper.step(StepUnit::multiply, -1);
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 16);
  EXPECT_EQ(s.quiz.question()->step, 18);
}

// Pooling: the hint is the values without their max; multi-channel partials name the channel.
TEST(Quiz, PoolAndPartialWords) {
  AppState s;
  open_lesson(s, "keras-pool");
  ui::set_quiz(s, true);
  s.quiz.submit("2x2", s.stepper);  // the field: the 2×2 pooling window
  s.quiz.submit("1x1", s.stepper);  // the shape
  step_forward(s, StepUnit::window);
  ASSERT_TRUE(s.quiz.question().has_value());
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::pool);
  EXPECT_EQ(ui::quiz_prompt(s), "The max of this window, y[0, 0, 0, 0] = ?");
  s.quiz.submit("-100", s.stepper);
  s.quiz.submit("-100", s.stepper);
  ASSERT_EQ(ui::quiz_hint(s).size(), 1u);
  EXPECT_EQ(ui::quiz_hint(s)[0].rfind("max(", 0), 0u) << ui::quiz_hint(s)[0];
  EXPECT_EQ(ui::quiz_hint(s)[0].find('='), std::string::npos);

  open_lesson(s, "rgb-3-filters");
  ui::quiz_guard(s);  // a new lesson: its own score, step 0's questions asked again
  EXPECT_EQ(s.quiz.score().asked, 0);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  s.quiz.submit("3x3", s.stepper);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);
  s.quiz.submit("1x1", s.stepper);
  s.stepper.seek(6);  // the scrubber past the products: held before the first (step 1)
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 0);
  ui::set_quiz(s, false);  // off and on again at step 6: nothing before it is asked
  s.stepper.seek(6);
  ui::set_quiz(s, true);
  step_forward(s, StepUnit::window);
  EXPECT_EQ(s.stepper.global(), 7);
  EXPECT_EQ(ui::quiz_prompt(s),
            "Channel 0's partial sum for y[0, 0, 0, 0]: all its products added = ?");
  EXPECT_EQ(s.quiz.submit("-6", s.stepper), Verdict::right);
  EXPECT_EQ(ui::quiz_reveal(s)[0].substr(ui::quiz_reveal(s)[0].rfind('=')), "= −6");
  // Back to keras-pool: its score was kept (the field and the shape; the max was left open).
  open_lesson(s, "keras-pool");
  ui::quiz_guard(s);
  EXPECT_EQ(s.quiz.score().asked, 2);
}

// An edit makes a new trace: the answered steps are forgotten (the numbers changed), the score
// stays; off, the quiz holds nothing back.
TEST(Quiz, AnEditForgetsTheAnsweredStepsAndOffHoldsNothing) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  s.quiz.submit("3x3", s.stepper);
  s.quiz.submit("3x3", s.stepper);
  EXPECT_EQ(s.quiz.score().right, 2);
  s.weight.set(0, 2.0);
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ui::quiz_guard(s);
  // Asked again on the new numbers, from the first question of step 0.
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  EXPECT_EQ(s.quiz.score().right, 2);
  ui::set_quiz(s, false);
  EXPECT_FALSE(s.show_quiz);
  s.stepper.end();
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 89);
  EXPECT_FALSE(s.quiz.question().has_value());
}

// ---- The receptive-field question (asked first, on step 0, before the shape) ----

// dilation-2: a 3×3 kernel with dilation 2 spans 2·(3 − 1) + 1 = 5 rows and 5 columns. Every
// common way of typing rows × columns is read; a right answer opens the shape question at once.
TEST(Quiz, TheReceptiveFieldIsReadInEachCommonForm) {
  for (const char* form : {"5x5", "5×5", "5 X 5", "5 5", " 5,5 ", "5*5"}) {
    AppState s;
    open_lesson(s, "dilation-2");
    ui::set_quiz(s, true);
    ASSERT_TRUE(s.quiz.question().has_value()) << form;
    EXPECT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field) << form;
    EXPECT_EQ(s.quiz.submit(form, s.stepper), Verdict::right) << form;
    EXPECT_EQ(ui::quiz_verdict_text(s), "Right: 5×5.") << form;
    ASSERT_TRUE(s.quiz.question().has_value()) << form;
    EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape) << form;
    EXPECT_EQ(s.quiz.score().right, 1) << form;
    EXPECT_EQ(s.stepper.global(), 0) << form;
  }
}

// Wrong twice: the hint is each axis's arithmetic without its result; the third wrong reveals
// the answer with the arithmetic, shown above the shape question that opens next.
TEST(Quiz, TheReceptiveFieldWithDilationHintsThenReveals) {
  AppState s;
  open_lesson(s, "dilation-2");
  ui::set_quiz(s, true);
  EXPECT_EQ(ui::quiz_prompt(s),
            "How many input rows × columns does one output cell see? Type R×C (rows × columns), "
            "e.g. 4×2 or 4 2.");
  EXPECT_TRUE(s.quiz.hides_window());  // the canvas does not outline the window yet
  EXPECT_EQ(s.quiz.submit("five", s.stepper), Verdict::unreadable);
  EXPECT_EQ(ui::quiz_verdict_text(s), "Type the size as rows×columns, e.g. 4×2, 4x2 or 4 2.");
  EXPECT_EQ(s.quiz.submit("3x3", s.stepper), Verdict::wrong);  // the kernel, not its span
  EXPECT_FALSE(s.quiz.hint_due());
  EXPECT_EQ(ui::quiz_verdict_text(s), "Not right: you typed 3x3. Try again: try 2 of 3.");
  EXPECT_EQ(s.quiz.submit("6 6", s.stepper), Verdict::wrong);
  EXPECT_TRUE(s.quiz.hint_due());
  EXPECT_EQ(ui::quiz_hint(s), (std::vector<std::string>{
                                  "rows: dilation 2 puts the 3 taps 2 apart: 2·(3 − 1) + 1",
                                  "columns: dilation 2 puts the 3 taps 2 apart: 2·(3 − 1) + 1"}));
  EXPECT_EQ(s.quiz.submit("4×4", s.stepper), Verdict::revealed);
  EXPECT_EQ(ui::quiz_verdict_text(s), "The answer is 5×5 (you typed 4×4).");
  EXPECT_EQ(ui::quiz_reveal(s),
            (std::vector<std::string>{"span = dilation·(k − 1) + 1:", "rows = 2·(3 − 1) + 1 = 5",
                                      "columns = 2·(3 − 1) + 1 = 5"}));
  EXPECT_EQ(s.quiz.score().asked, 1);
  EXPECT_EQ(s.quiz.score().right, 0);
  ASSERT_TRUE(s.quiz.question().has_value());
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);
  EXPECT_FALSE(s.quiz.hides_window());
  EXPECT_TRUE(s.quiz.hides_shape());
  // A wrong shape: the field's answer gives way to the shape's verdict.
  EXPECT_EQ(s.quiz.submit("3x3", s.stepper), Verdict::wrong);
  EXPECT_TRUE(ui::quiz_reveal(s).empty());
  EXPECT_EQ(s.quiz.submit("1x1", s.stepper), Verdict::right);  // (5 − 4 − 1) / 1 + 1 = 1
  EXPECT_FALSE(s.quiz.question().has_value());
  EXPECT_FALSE(s.quiz.hides_shape());
}

// Rows and columns apart: dilation 1 down, 3 across makes a 3×3 kernel span 3×7; the answer
// "7×3" (columns first) is wrong.
TEST(Quiz, TheReceptiveFieldTakesRowsThenColumns) {
  AppState s;
  open_lesson(s, "vertical-edge");
  s.conv.dilation_w = 3;
  s.input = Tensor(DType::f32, {1, 1, 5, 9});
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ASSERT_TRUE(s.has_trace());
  ui::set_quiz(s, true);
  ASSERT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  EXPECT_EQ(s.quiz.question()->field_h, 3);
  EXPECT_EQ(s.quiz.question()->field_w, 7);
  EXPECT_EQ(s.quiz.submit("7x3", s.stepper), Verdict::wrong);
  EXPECT_EQ(s.quiz.submit("3x3", s.stepper), Verdict::wrong);
  EXPECT_EQ(ui::quiz_hint(s)[0], "rows: dilation 1 puts the 3 taps 1 apart: 1·(3 − 1) + 1");
  EXPECT_EQ(ui::quiz_hint(s)[1], "columns: dilation 3 puts the 3 taps 3 apart: 3·(3 − 1) + 1");
  EXPECT_EQ(s.quiz.submit("3x7", s.stepper), Verdict::right);
}

// Pooling: the pooling window's span (keras-pool: 2×2, dilation 1); a wrong answer and the hint.
// A transposed convolution is not asked (its cells see different numbers of input rows).
TEST(Quiz, PoolingAsksTheWindowsSpanTransposedDoesNot) {
  AppState s;
  open_lesson(s, "keras-pool");
  ui::set_quiz(s, true);
  ASSERT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  EXPECT_EQ(s.quiz.submit("1x1", s.stepper), Verdict::wrong);
  EXPECT_EQ(s.quiz.submit("3x3", s.stepper), Verdict::wrong);
  EXPECT_EQ(ui::quiz_hint(s)[0], "rows: dilation 1 puts the 2 taps 1 apart: 1·(2 − 1) + 1");
  EXPECT_EQ(s.quiz.submit("2 2", s.stepper), Verdict::right);
  EXPECT_EQ(ui::quiz_reveal(s)[2], "columns = 1·(2 − 1) + 1 = 2");

  open_lesson(s, "transpose-unit");
  ASSERT_EQ(s.trace->op(), TraceOp::conv_transpose2d);
  for (const Question& q : window_questions(*s.trace, 0))
    EXPECT_NE(q.kind, QuestionKind::receptive_field);
  ui::quiz_guard(s);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);
}

// Step 0's questions hold the stepper on step 0: → and the scrubber come back.
TEST(Quiz, StepZerosQuestionsHoldTheStepper) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  step_forward(s);
  EXPECT_EQ(s.stepper.global(), 0);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::receptive_field);
  s.stepper.seek(40);
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 0);
  s.quiz.submit("3x3", s.stepper);
  step_forward(s, StepUnit::window);
  EXPECT_EQ(s.stepper.global(), 0);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);
}

// While the field or the shape is asked, the timeline's and the status bar's counts (steps,
// windows, values in a row or a channel: 90 steps of 10 are 9 outputs, 3×3) and the lesson's
// description (padding-1's names the size) are not shown; once answered they are.
TEST(Quiz, TheTimelineHidesTheCountsWhileTheShapeIsAsked) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  auto counts_hidden = [&](const char* when) {
    EXPECT_EQ(ui::count_text(s, s.stepper.total()), "?") << when;
    EXPECT_EQ(ui::step_position_text(s), "step 1 of ?") << when;
    EXPECT_EQ(ui::timeline_where_text(s).rfind("window 1 of ?: output", 0), 0u)
        << ui::timeline_where_text(s);
    EXPECT_EQ(ui::unit_hint(s, StepUnit::row), "one output row (? values)") << when;
    EXPECT_EQ(ui::unit_hint(s, StepUnit::channel), "one output channel (? values)") << when;
    EXPECT_EQ(ui::lesson_description_text(s, s.lesson_description).find("5×5 channel"),
              std::string::npos)
        << when;
  };
  counts_hidden("the field asked");
  s.quiz.submit("3x3", s.stepper);
  counts_hidden("the shape asked");
  s.quiz.submit("3x3", s.stepper);
  EXPECT_EQ(ui::count_text(s, s.stepper.total()), "90");
  EXPECT_EQ(ui::step_position_text(s), "step 1 of 90");
  EXPECT_EQ(ui::timeline_where_text(s),
            "window 1 of 9: output (n 0, o 0, y 0, x 0)   multiply 1 of 9");
  EXPECT_EQ(ui::unit_hint(s, StepUnit::row), "one output row (3 values)");
  EXPECT_EQ(ui::unit_hint(s, StepUnit::channel), "one output channel (9 values)");
  EXPECT_EQ(ui::lesson_description_text(s, s.lesson_description), s.lesson_description);
  // Off, nothing is hidden.
  open_lesson(s, "padding-1");
  ui::quiz_guard(s);
  EXPECT_EQ(ui::step_position_text(s), "step 1 of ?");
  ui::set_quiz(s, false);
  EXPECT_EQ(ui::step_position_text(s), "step 1 of 250");
  EXPECT_EQ(ui::lesson_description_text(s, s.lesson_description), s.lesson_description);
}

// The quiz's logic is plain C++: it includes nothing of ImGui, GLFW or GL (only core/ and itself).
TEST(Quiz, TheLogicIncludesNoGui) {
  for (const char* file : {"app/ui/quiz.hpp", "app/ui/quiz.cpp"}) {
    std::ifstream in(std::string(CONVSCOPE_SOURCE_DIR) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::stringstream text;
    text << in.rdbuf();
    const std::string src = text.str();
    const std::regex include(R"(#\s*include\s*[<"]([^>"]+)[>"])");
    int includes = 0;
    for (auto it = std::sregex_iterator(src.begin(), src.end(), include);
         it != std::sregex_iterator(); ++it) {
      const std::string name = (*it)[1];
      ++includes;
      const bool ours = name.rfind("core/", 0) == 0 || name == "app/ui/quiz.hpp";
      const bool standard =
          name.find('/') == std::string::npos && name.find('.') == std::string::npos;
      EXPECT_TRUE(ours || standard) << file << " includes " << name;
    }
    EXPECT_GT(includes, 2) << file;
  }
}

}  // namespace
}  // namespace cs
