// The quiz's logic (see quiz.hpp): the questions of a window from the trace view, reading and
// checking answers, tries, the score, and holding the stepper before an open question. No ImGui.
#include "app/ui/quiz.hpp"

#include <cmath>
#include <cstdlib>
#include <map>

namespace cs {

const char* question_kind_name(QuestionKind kind) {
  switch (kind) {
    case QuestionKind::receptive_field:
      return "receptive_field";
    case QuestionKind::shape:
      return "shape";
    case QuestionKind::product:
      return "product";
    case QuestionKind::partial:
      return "partial";
    case QuestionKind::output:
      return "output";
    case QuestionKind::pool:
      return "pool";
  }
  return "";
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::none:
      return "";
    case Verdict::right:
      return "right";
    case Verdict::wrong:
      return "wrong";
    case Verdict::revealed:
      return "revealed";
    case Verdict::unreadable:
      return "unreadable";
  }
  return "";
}

bool asks_size(QuestionKind kind) {
  return kind == QuestionKind::shape || kind == QuestionKind::receptive_field;
}

std::pair<int64_t, int64_t> size_answer(const Question& q) {
  return q.kind == QuestionKind::receptive_field ? std::make_pair(q.field_h, q.field_w)
                                                 : std::make_pair(q.out_h, q.out_w);
}

std::vector<Question> window_questions(const TraceView& v, int64_t w) {
  const TraceShape& g = v.shape();
  const int64_t taps = v.taps_per_window();
  if (w < 0 || w >= v.window_count() || taps <= 0) return {};
  const int64_t base = w * (taps + 1);
  const TraceWindow win = v.window(w);
  // By step; a later insert on the same step wins (the order of the list in quiz.hpp).
  std::map<int64_t, Question> by_step;
  auto put = [&](QuestionKind kind, int64_t tap, int64_t reveal_tap) {
    Question q;
    q.kind = kind;
    q.step = base + tap;
    q.reveal_step = base + reveal_tap;
    q.window = w;
    q.tap = tap;
    by_step[q.step] = q;
    return &by_step[q.step];
  };
  const int64_t per_channel = g.taps_per_channel();
  if (v.has_weights() && w == 0) {
    for (int64_t t = 1; t <= 3 && t < taps; ++t) {
      put(QuestionKind::product, t, t)->answer = v.tap(w, t).product;
    }
  }
  if (v.has_weights() && g.c_in_per_group > 1) {
    for (int64_t c = 0; c + 1 < g.c_in_per_group; ++c) {
      const int64_t t = (c + 1) * per_channel - 1;
      Question* q = put(QuestionKind::partial, t, t);
      q->channel = win.ic_begin + c;
      q->answer = win.partials[static_cast<std::size_t>(c)];
    }
  }
  put(v.has_weights() ? QuestionKind::output : QuestionKind::pool, taps - 1, taps)->answer =
      win.value;
  if (w == 0) {
    Question* q = put(QuestionKind::shape, 0, 0);
    q->out_h = g.out_h;
    q->out_w = g.out_w;
  }
  std::vector<Question> out;
  if (w == 0 && v.op() != TraceOp::conv_transpose2d) {
    Question q;
    q.kind = QuestionKind::receptive_field;
    q.field_h = g.span_h();
    q.field_w = g.span_w();
    out.push_back(q);
  }
  for (auto& [step, q] : by_step)
    out.push_back(q);
  return out;
}

std::optional<Question> question_at(const TraceView& v, int64_t g) {
  const int64_t per_window = v.taps_per_window() + 1;
  if (g < 0 || per_window <= 0) return std::nullopt;
  for (const Question& q : window_questions(v, g / per_window)) {
    if (q.step == g) return q;
  }
  return std::nullopt;
}

namespace {

// The text without surrounding spaces, U+2212 (the minus sign ConvScope writes) as '-'.
std::string normalised(const std::string& text) {
  std::string s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\xE2\x88\x92") == 0) {
      s += '-';
      i += 2;
    } else {
      s += text[i];
    }
  }
  const std::size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// The whole text as one finite decimal number.
std::optional<double> whole_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  // strtod reads "inf", "nan" and hex floats too: only digits, signs, '.', 'e' are answers.
  if (s.find_first_not_of("0123456789+-.eE") != std::string::npos) return std::nullopt;
  return v;
}

}  // namespace

std::optional<double> parse_number_answer(const std::string& text) {
  const std::string s = normalised(text);
  const std::size_t slash = s.find('/');
  if (slash == std::string::npos) return whole_number(s);
  const auto a = whole_number(normalised(s.substr(0, slash)));
  const auto b = whole_number(normalised(s.substr(slash + 1)));
  if (!a || !b || *b == 0) return std::nullopt;
  return *a / *b;
}

std::optional<std::pair<int64_t, int64_t>> parse_shape_answer(const std::string& text) {
  // "×" (U+00D7), x, X, '*' and ',' all separate the two sizes, as a space does.
  // NOTE: copied, not std::string::replace: g++ 12 warns falsely (-Wrestrict) on the latter.
  const std::string typed = normalised(text);
  std::string s;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const char c = typed[i];
    if (typed.compare(i, 2, "\xC3\x97") == 0) {
      s += ' ';
      ++i;
    } else {
      s += (c == 'x' || c == 'X' || c == '*' || c == ',') ? ' ' : c;
    }
  }
  std::vector<int64_t> sizes;
  std::size_t pos = 0;
  while ((pos = s.find_first_not_of(' ', pos)) != std::string::npos) {
    const std::size_t end = s.find(' ', pos);
    const std::string part = s.substr(pos, end == std::string::npos ? end : end - pos);
    if (part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    sizes.push_back(std::stoll(part));
    pos = end;
  }
  if (sizes.size() != 2) return std::nullopt;
  return std::make_pair(sizes[0], sizes[1]);
}

bool close_enough(double typed, double answer) {
  const double d = std::fabs(typed - answer);
  return d <= 1e-3 || d <= 1e-3 * std::fabs(answer);
}

void Quiz::set_active(bool on) {
  if (on == m_active) return;
  m_active = on;
  m_open.reset();
  m_tries = 0;
  m_prev = -1;
}

void Quiz::reset_trace() {
  m_answered.clear();
  m_open.reset();
  m_last.reset();
  m_verdict = Verdict::none;
  m_typed.clear();
  m_tries = 0;
  m_prev = -1;
}

QuizScore Quiz::score() const {
  const auto it = m_scores.find(m_lesson);
  return it == m_scores.end() ? QuizScore{} : it->second;
}

void Quiz::open(const Question& q) {
  if (!m_open || m_open->step != q.step || m_open->kind != q.kind) m_tries = 0;
  m_open = q;
}

bool Quiz::answered(const Question& q) const {
  return m_answered.count({q.step, q.kind}) > 0;
}

void Quiz::open_next_at_start(const TraceView& v) {
  for (const Question& q : window_questions(v, 0)) {
    if (q.step != 0) break;
    if (!answered(q)) {
      open(q);
      return;
    }
  }
}

bool Quiz::hides_shape() const {
  return m_active && m_open &&
         (m_open->kind == QuestionKind::shape || m_open->kind == QuestionKind::receptive_field);
}

bool Quiz::hides_window() const {
  return m_active && m_open && m_open->kind == QuestionKind::receptive_field;
}

bool Quiz::guard(const TraceViewPtr& trace, Stepper& stepper, const std::string& lesson) {
  if (!m_active || !trace || stepper.empty()) return false;
  if (lesson != m_lesson) {
    m_lesson = lesson;
    reset_trace();
  }
  // NOTE: a weak_ptr, so a new trace is never taken for the old one at a reused address.
  if (m_trace.owner_before(trace) || trace.owner_before(m_trace) || m_trace.expired()) {
    m_trace = trace;
    reset_trace();
  }
  const int64_t g = stepper.global();
  if (m_prev < 0) {
    m_prev = g;
    if (g == 0) open_next_at_start(*trace);
    return false;
  }
  // Step 0's questions (asked where the stepper stands) hold it on step 0.
  if (m_open && m_open->step == 0 && g > 0) {
    stepper.pause();
    stepper.seek(0);
    m_prev = stepper.global();
    ++m_holds;
    return true;
  }
  const int64_t from = m_prev;
  m_prev = g;
  if (g <= from) return false;
  // The first unanswered question on a step in (from, g].
  const int64_t per_window = trace->taps_per_window() + 1;
  for (int64_t w = (from + 1) / per_window; w <= g / per_window; ++w) {
    for (const Question& q : window_questions(*trace, w)) {
      if (q.step <= from || q.step > g || answered(q)) continue;
      stepper.pause();
      stepper.seek(q.step - 1);
      m_prev = stepper.global();
      open(q);
      ++m_holds;
      return true;
    }
  }
  return false;
}

void Quiz::close(bool right, Stepper& stepper) {
  QuizScore& s = m_scores[m_lesson];
  ++s.asked;
  if (right) ++s.right;
  m_answered.insert({m_open->step, m_open->kind});
  m_last = m_open;
  m_open.reset();
  m_tries = 0;
  stepper.pause();
  stepper.seek(m_last->reveal_step);
  m_prev = stepper.global();
  // Step 0's questions are asked one after the other where the stepper stands.
  const TraceViewPtr trace = m_trace.lock();
  if (m_last->step == 0 && trace && stepper.global() == 0) open_next_at_start(*trace);
}

Verdict Quiz::submit(const std::string& text, Stepper& stepper) {
  if (!m_open) return Verdict::none;
  m_typed = text;
  m_last = m_open;
  if (normalised(text) == "?") {
    close(false, stepper);
    return m_verdict = Verdict::revealed;
  }
  bool right = false;
  if (asks_size(m_open->kind)) {
    const auto hw = parse_shape_answer(text);
    if (!hw) return m_verdict = Verdict::unreadable;
    right = *hw == size_answer(*m_open);
  } else {
    const auto x = parse_number_answer(text);
    if (!x) return m_verdict = Verdict::unreadable;
    right = close_enough(*x, m_open->answer);
  }
  if (right) {
    close(true, stepper);
    return m_verdict = Verdict::right;
  }
  if (++m_tries >= kTries) {
    close(false, stepper);
    return m_verdict = Verdict::revealed;
  }
  return m_verdict = Verdict::wrong;
}

}  // namespace cs
