// The quiz, "predict, then reveal": which question a step of the stepper asks, checking a typed
// answer, the tries and when a hint is due, and the score per lesson. Pure C++ over core's trace
// view and stepper: no ImGui, no GL (the view that asks and writes the answers is ui_quiz.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/stepper.hpp"
#include "core/trace.hpp"

namespace cs {

enum class QuestionKind {
  receptive_field,  // the rows × columns one output cell's window spans, asked first (step 0)
  shape,            // the output's H×W, asked before the first step (after the receptive field)
  product,          // the next multiply's x·w (the first window's multiplies 2 to 4)
  partial,          // a channel's partial sum (windows that sum more than one channel)
  output,           // the value a convolution window writes: its products plus the bias
  pool,             // a pooling window's max or average
};
// "receptive_field", "shape", "product", "partial", "output", "pool"
const char* question_kind_name(QuestionKind kind);

struct Question {
  QuestionKind kind = QuestionKind::shape;
  // The first global step that shows the answer: the stepper waits on the step before it (step
  // 0: the shape, asked where the stepper stands) until the question is answered.
  int64_t step = 0;
  // Where the answer is explained: the stepper goes there once the question closes (the window's
  // "value written" step for output and pool, `step` otherwise).
  int64_t reveal_step = 0;
  int64_t window = 0, tap = 0;       // the window asked about, and the tap of `step`
  int64_t channel = -1;              // partial: the input channel (absolute)
  double answer = 0;                 // product, partial, output, pool
  int64_t out_h = 0, out_w = 0;      // shape
  int64_t field_h = 0, field_w = 0;  // receptive_field: dilation·(k − 1) + 1 per axis
};
// Whether the question is answered with two sizes, rows×columns (shape, receptive_field).
bool asks_size(QuestionKind kind);
// The two sizes a size question expects: (out_h, out_w) or (field_h, field_w).
std::pair<int64_t, int64_t> size_answer(const Question& q);

// The questions of window `w`, by step: step 0 of window 0 asks the receptive field (how many
// input rows × columns one output cell's window spans; not for a transposed convolution, whose
// cells see varying numbers of input rows) and then the output shape; the first
// window's multiplies 2 to 4 ask their product (convolution); in a window that sums several input
// channels, the last multiply of each channel but the last asks that channel's partial sum; the
// window's last tap asks the value it writes (convolution: products plus bias, revealed on the
// "value written" step; pooling: the max or the average). Where two fall on one step the later
// kind in that list wins, except that step 0 always asks the receptive field and the shape.
std::vector<Question> window_questions(const TraceView& v, int64_t w);
// The (first) question step `g` asks, if any.
std::optional<Question> question_at(const TraceView& v, int64_t g);

// An answer as typed: a number ("−2", "2.5", "7/3", "1e-3"; U+2212 is a minus) or a shape
// ("3×3", "3x3", "3,3", "3 3"). Nothing when the text is not one.
std::optional<double> parse_number_answer(const std::string& text);
std::optional<std::pair<int64_t, int64_t>> parse_shape_answer(const std::string& text);
// Within 1e-3 of the answer, absolutely or relatively.
bool close_enough(double typed, double answer);

struct QuizScore {
  int asked = 0, right = 0;
};

enum class Verdict {
  none,
  right,       // the answer counts; the question closed
  wrong,       // try again (a hint after the second wrong try)
  revealed,    // wrong for the third time, or "?" typed: the answer is shown; the question closed
  unreadable,  // not a number (or not H×W): not counted as a try
};
// "", "right", "wrong", "revealed", "unreadable"
const char* verdict_name(Verdict verdict);

class Quiz {
 public:
  static constexpr int kTries = 3;      // the third wrong try reveals the answer
  static constexpr int kHintAfter = 2;  // wrong tries before the hint

  bool active() const { return m_active; }
  // On: the next guard() asks the question of the step the stepper is on (the shape at step 0).
  void set_active(bool on);

  // Call before the views draw and after anything may have moved the stepper. Follows lesson and
  // trace changes (a new trace forgets which steps were answered; each lesson keeps its score)
  // and, when the stepper moved forward onto or past a step with an unanswered question, pauses
  // it, moves it back to the step before the first such question and opens that question. A
  // question of step 0 (the receptive field, the shape) holds it on step 0 until answered.
  // Returns true when it held the stepper back.
  bool guard(const TraceViewPtr& trace, Stepper& stepper, const std::string& lesson);

  // The open question (stepping forward is held back while there is one).
  const std::optional<Question>& question() const { return m_open; }
  int tries() const { return m_tries; }  // wrong tries on the open question
  bool hint_due() const { return m_open && m_tries >= kHintAfter; }
  // Whether the views must not show the output's shape (the step counts, the output's size: the
  // shape question, or the receptive-field question asked before it, is open) or the window's
  // extent on the input (the receptive-field question is open).
  bool hides_shape() const;
  bool hides_window() const;
  // Times guard() held the stepper back (the view gives its answer field the keyboard again).
  uint64_t holds() const { return m_holds; }

  // Checks a typed answer against the open question. Right, or wrong for the third time (or "?"
  // typed): the question closes, counts in the score and the stepper moves to its reveal step.
  // Text that is not a number (or not two sizes for the shape and the receptive field) is not a
  // try. Closing a question of step 0 opens the next one of step 0 not yet answered.
  Verdict submit(const std::string& text, Stepper& stepper);

  // What the last submit() said, the text it was given and the question it was about (after a
  // close: the question just closed, for the reveal).
  Verdict last_verdict() const { return m_verdict; }
  const std::string& last_typed() const { return m_typed; }
  const std::optional<Question>& last_question() const { return m_last; }
  // The current lesson's score.
  QuizScore score() const;

 private:
  void reset_trace();
  void open(const Question& q);
  bool answered(const Question& q) const;
  // Opens the first question of step 0 not yet answered, if any (the stepper stands on step 0).
  void open_next_at_start(const TraceView& v);
  void close(bool right, Stepper& stepper);

  bool m_active = false;
  std::weak_ptr<const TraceView> m_trace;
  std::string m_lesson;
  std::map<std::string, QuizScore> m_scores;
  std::set<std::pair<int64_t, QuestionKind>> m_answered;  // closed questions (this trace)
  std::optional<Question> m_open, m_last;
  int m_tries = 0;
  int64_t m_prev = -1;  // the stepper's global step after the last guard(); -1: not yet seen
  uint64_t m_holds = 0;
  Verdict m_verdict = Verdict::none;
  std::string m_typed;
};

}  // namespace cs
