// The quiz view, "predict, then reveal" (View > Quiz mode, Q, --quiz, a scene's "quiz": true):
// before a value is shown the student types a prediction; Enter checks it, the view marks it
// right or wrong, gives a hint after the second wrong try and the answer with its arithmetic
// after the third. The logic is app/ui/quiz.hpp (no ImGui); the words for the question, the hint
// and the answer are made here from the trace view's explanation. Depends on ImGui, app_state.hpp,
// ui_theme.hpp and ui_arithmetic.hpp.
#pragma once

#include <string>
#include <vector>

#include "app/ui/app_state.hpp"

namespace cs::ui {

// Turns the quiz on or off, its view with it (Q and View > Quiz mode).
void toggle_quiz(AppState& state);
void set_quiz(AppState& state, bool on);

// Before the views draw, and after the stepper advanced: the quiz's guard (Quiz::guard) over the
// state's trace and stepper. Marks the status dirty when it held the stepper back.
void quiz_guard(AppState& state);

// The quiz view: the question, the answer field (Enter checks), the verdict, the hint, the answer
// with its arithmetic and the lesson's score. Also types one --quiz-answer a frame.
void draw_quiz(AppState& state);

// A lesson's description as the views show it: the text, or while the quiz asks for the output's
// shape (or the receptive field before it) a line saying it comes after, since descriptions may
// name the output's size (padding-1: "out = (5 + 2·1 − 3) / 1 + 1 = 5").
std::string lesson_description_text(const AppState& state, const std::string& description);

// The words the view shows, for tests (no ImGui frame needed):
// the open question ("Next multiply: x[0, 0, 0, 1] · w[0, 0, 0, 1] = ?"), or "".
std::string quiz_prompt(const AppState& state);
// The hint for the open question: the output-size formula with the lesson's numbers but not its
// result, the multiply's two values, or the window's terms without their sum.
std::vector<std::string> quiz_hint(const AppState& state);
// The last closed question's answer with its arithmetic ("1 · (−1) = −1", "1·1 + 0·0 + … = −2",
// "rows = 2·(3 − 1) + 1 = 5"): when no question is open, and above the
// shape question that opens right after the receptive field's.
std::vector<std::string> quiz_reveal(const AppState& state);
// The last verdict in words ("Right: 3×3.", "Not right: you typed 4. Try again: try 2 of 3.").
std::string quiz_verdict_text(const AppState& state);

}  // namespace cs::ui
