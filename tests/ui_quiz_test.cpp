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
TEST(Quiz, VerticalEdgeAsksTheShapeThreeProductsAndEachOutput) {
  AppState s;
  open_lesson(s, "vertical-edge");
  const TraceView& v = *s.trace;
  const std::vector<Question> w0 = window_questions(v, 0);
  ASSERT_EQ(w0.size(), 5u);
  EXPECT_EQ(w0[0].kind, QuestionKind::shape);
  EXPECT_EQ(w0[0].step, 0);
  EXPECT_EQ(w0[0].out_h, 3);
  EXPECT_EQ(w0[0].out_w, 3);
  const double products[] = {0, -3, 0};  // 2·0, 3·(−1), 0·1
  for (int t = 1; t <= 3; ++t) {
    EXPECT_EQ(w0[t].kind, QuestionKind::product) << t;
    EXPECT_EQ(w0[t].step, t);
    EXPECT_EQ(w0[t].reveal_step, t);
    EXPECT_EQ(w0[t].answer, products[t - 1]) << t;
  }
  EXPECT_EQ(w0[4].kind, QuestionKind::output);
  EXPECT_EQ(w0[4].step, 8);  // the last multiply: "all so far" would show the sum
  EXPECT_EQ(w0[4].reveal_step, 9);
  EXPECT_EQ(w0[4].answer, -2);
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
  ASSERT_EQ(w0.size(), 7u);  // shape, 3 products, 2 partials, output
  EXPECT_EQ(w0[4].kind, QuestionKind::partial);
  EXPECT_EQ(w0[4].step, 8);
  EXPECT_EQ(w0[4].channel, 0);
  EXPECT_EQ(w0[4].answer, -6);
  EXPECT_EQ(w0[5].kind, QuestionKind::partial);
  EXPECT_EQ(w0[5].step, 17);
  EXPECT_EQ(w0[5].answer, 15);
  EXPECT_EQ(w0[6].kind, QuestionKind::output);
  EXPECT_EQ(w0[6].step, 26);
  EXPECT_EQ(w0[6].reveal_step, 27);
  EXPECT_EQ(w0[6].answer, 11);
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
  ASSERT_EQ(w0.size(), 2u);  // no products in pooling
  EXPECT_EQ(w0[0].kind, QuestionKind::shape);
  EXPECT_EQ(w0[0].out_h, 1);
  EXPECT_EQ(w0[1].kind, QuestionKind::pool);
  EXPECT_EQ(w0[1].step, 3);
  EXPECT_EQ(w0[1].reveal_step, 4);
  double largest = -1e9;
  for (const TraceTap& t : v.taps(0))
    largest = std::max(largest, t.x);
  EXPECT_EQ(w0[1].answer, largest);
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

// The whole round on vertical-edge: the shape first, wrong twice (the hint is the formula
// without its result), the third wrong reveals it; then → asks the next product instead of
// moving, a right answer scores and moves on.
TEST(Quiz, TriesHintRevealAndScore) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  ASSERT_TRUE(s.quiz.question().has_value());
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
  EXPECT_EQ(s.quiz.score().asked, 1);
  EXPECT_EQ(s.quiz.score().right, 0);
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
  EXPECT_EQ(s.quiz.score().asked, 2);
  EXPECT_EQ(s.quiz.score().right, 1);

  // "?" shows the answer at once (counted wrong); a relative error under 1e-3 is right.
  step_forward(s);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::product);
  EXPECT_EQ(s.quiz.submit("?", s.stepper), Verdict::revealed);
  EXPECT_EQ(ui::quiz_verdict_text(s), "The answer is −3.");
  EXPECT_EQ(s.stepper.global(), 2);
  step_forward(s);
  EXPECT_EQ(s.quiz.submit("0.0004", s.stepper), Verdict::right);
  EXPECT_EQ(s.quiz.score().asked, 4);
  EXPECT_EQ(s.quiz.score().right, 2);
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
  s.quiz.submit("1x1", s.stepper);
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
  ui::quiz_guard(s);  // a new lesson: its own score, the shape asked again at step 0
  EXPECT_EQ(s.quiz.score().asked, 0);
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
  // Back to keras-pool: its score was kept.
  open_lesson(s, "keras-pool");
  ui::quiz_guard(s);
  EXPECT_EQ(s.quiz.score().asked, 1);
}

// An edit makes a new trace: the answered steps are forgotten (the numbers changed), the score
// stays; off, the quiz holds nothing back.
TEST(Quiz, AnEditForgetsTheAnsweredStepsAndOffHoldsNothing) {
  AppState s;
  open_lesson(s, "vertical-edge");
  ui::set_quiz(s, true);
  s.quiz.submit("3x3", s.stepper);
  EXPECT_EQ(s.quiz.score().right, 1);
  s.weight.set(0, 2.0);
  s.mark_dirty(Dirty::trace);
  recompute_if_dirty(s);
  ui::quiz_guard(s);
  EXPECT_EQ(s.quiz.question()->kind, QuestionKind::shape);  // asked again on the new numbers
  EXPECT_EQ(s.quiz.score().right, 1);
  ui::set_quiz(s, false);
  EXPECT_FALSE(s.show_quiz);
  s.stepper.end();
  ui::quiz_guard(s);
  EXPECT_EQ(s.stepper.global(), 89);
  EXPECT_FALSE(s.quiz.question().has_value());
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
