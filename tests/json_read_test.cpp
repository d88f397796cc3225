// core/json_read: the bounded parse (depth, syntax, overflowing numbers, repeated keys), the
// bounded preview used in messages, and the typed getters' sentences in both wordings, with the
// range checked after conversion (an int, a float32).
#include "core/json_read.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cs {
namespace {

std::string nested(std::size_t depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

Json parsed(const std::string& text) {
  JsonDocument doc = parse_json(text);
  EXPECT_EQ(doc.failure, JsonDocument::Failure::none) << text << ": " << doc.failure_detail;
  return doc.root;
}

TEST(JsonRead, ParsesAndReportsTheFirstRepeatedKey) {
  JsonDocument doc =
      parse_json("\xEF\xBB\xBF{\"a\": {\"b\": 1, \"b\": 2}, \"c\": [1, {\"c\": 3}]}");
  ASSERT_EQ(doc.failure, JsonDocument::Failure::none);
  EXPECT_EQ(doc.root["a"]["b"], 2);  // nlohmann keeps the last; the caller decides
  EXPECT_EQ(doc.duplicate_key, "b");
  EXPECT_EQ(parse_json(R"({"a": {"b": 1}, "b": 2})").duplicate_key, "");  // other objects
}

TEST(JsonRead, SyntaxErrorsSayWhereAndWhy) {
  JsonDocument doc = parse_json("{\n  \"a\": 1,\n  \"b\": }");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::syntax);
  EXPECT_EQ(doc.failure_detail,
            "line 3, column 8: syntax error while parsing value - unexpected '}'; expected '[', "
            "'{', or a literal");
  EXPECT_TRUE(doc.root.is_null());
  doc = parse_json("[1e999]");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::number_too_large);
  EXPECT_EQ(doc.failure_detail, "number overflow parsing '1e999'");
}

// A token of a megabyte (digits that overflow, text with a stray control character) is not
// copied into the message.
TEST(JsonRead, LongTokensAreCutInSyntaxErrors) {
  JsonDocument doc = parse_json("[1" + std::string(1 << 20, '0') + "]");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::number_too_large);
  EXPECT_EQ(doc.failure_detail,
            "number overflow parsing '" + std::string(1, '1') + std::string(39, '0') + "...'");
  // A token followed by "; expected ...", and a token that itself holds "'; expected ".
  doc = parse_json("\"[[[{\"" + std::string(1000, '\t') + "x");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::syntax);
  EXPECT_LT(doc.failure_detail.size(), 200u) << doc.failure_detail.substr(0, 300);
  doc = parse_json("[\"'; expected " + std::string(1000, 'b') + "\n\"]");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::syntax);
  EXPECT_LT(doc.failure_detail.size(), 200u) << doc.failure_detail.substr(0, 300);
  doc = parse_json("[\"" + std::string(1 << 20, 'a') + "\n\"]");
  EXPECT_EQ(doc.failure, JsonDocument::Failure::syntax);
  // NOTE: the detail keeps only what follows the message's last ": " (as scenes always showed).
  EXPECT_EQ(doc.failure_detail, "line 1, column 1048579: '\"" + std::string(39, 'a') + "...'");
}

// Issue 10: 200 000 nested lists used to reach a recursive dump and overflow the stack. The
// parse stops at the first bracket past the bound, before anything deeper is built.
TEST(JsonRead, NestingIsBoundedWhileParsing) {
  EXPECT_EQ(parse_json(nested(64)).failure, JsonDocument::Failure::none);
  EXPECT_EQ(parse_json(nested(65)).failure, JsonDocument::Failure::too_deep);
  EXPECT_EQ(parse_json(nested(200000)).failure, JsonDocument::Failure::too_deep);
  EXPECT_EQ(parse_json("{\"a\": " + nested(63) + "}").failure, JsonDocument::Failure::none);
  EXPECT_EQ(parse_json("{\"a\": " + nested(64) + "}").failure, JsonDocument::Failure::too_deep);
  EXPECT_EQ(parse_json(nested(5), JsonLimits{4}).failure, JsonDocument::Failure::too_deep);
  // Unbalanced or not: the bound applies while reading, so a broken file is no way around it.
  EXPECT_EQ(parse_json(std::string(200000, '[')).failure, JsonDocument::Failure::too_deep);
  EXPECT_EQ(parse_json(std::string(30, '[')).failure, JsonDocument::Failure::syntax);
}

// A file of millions of numbers is refused as it is read: every value counts, lists and objects
// included ({"a": [1, 2]} is 4 values).
TEST(JsonRead, ValuesAreCountedWhileParsing) {
  JsonLimits four;
  four.max_values = 4;
  EXPECT_EQ(parse_json("{\"a\": [1, 2]}", four).failure, JsonDocument::Failure::none);
  const JsonDocument doc = parse_json("{\"a\": [1, 2, 3]}", four);
  EXPECT_EQ(doc.failure, JsonDocument::Failure::too_many_values);
  EXPECT_TRUE(doc.root.is_null());
  EXPECT_EQ(parse_json("[[], {}, null]", four).failure, JsonDocument::Failure::none);
  EXPECT_EQ(parse_json("[[], {}, null, \"x\"]", four).failure,
            JsonDocument::Failure::too_many_values);
  EXPECT_EQ(parse_json("[1, 2, 3, 4, 5]").failure, JsonDocument::Failure::none);
}

TEST(JsonRead, PreviewIsDumpUpToFortyCharacters) {
  for (const char* text : {"[1,2.0,-0.0,1e+300]", "{\"a\":[true,null],\"b\":\"x\\u0001\"}",
                           "\"\xC3\xBC\\n\"", "18446744073709551615", "{}", "[]"}) {
    const Json v = parsed(text);
    EXPECT_EQ(json_preview(v), v.dump()) << text;
  }
  Json list = Json::array();
  for (int i = 0; i < 100000; ++i)
    list.push_back(i);
  EXPECT_EQ(json_preview(list), "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1...");
  // Characters, not bytes: thirty é (two bytes each) fit, and a cut never splits one.
  std::string accents;
  for (int i = 0; i < 50; ++i)
    accents += "\xC3\xA9";
  const std::string quote = "\"";
  EXPECT_EQ(json_preview(Json(accents.substr(0, 60))), quote + accents.substr(0, 60) + quote);
  EXPECT_EQ(json_preview(Json(accents)), quote + accents.substr(0, 78) + "...");
  EXPECT_EQ(json_preview(parsed(nested(60))), std::string(40, '[') + "...");
  EXPECT_EQ(cut_text("short"), "short");
  EXPECT_EQ(cut_text(std::string(41, 'k')), std::string(40, 'k') + "...");
}

// The scene wording: "<where>: <key> ..." naming what was found.
TEST(JsonRead, SceneSentences) {
  const JsonReader rd("lesson.json", JsonWording::scene, "scene");
  const IntRange million{1, 1000000};
  auto pair_error = [&](const std::string& text) {
    auto r = rd.pair(parsed(text), "conv.stride", million);
    EXPECT_FALSE(r.has_value()) << text;
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(pair_error("\"2\""),
            "lesson.json: conv.stride must be a whole number or a [height, width] pair, not text "
            "(\"2\")");
  EXPECT_EQ(pair_error("0"), "lesson.json: conv.stride is 0; it must be between 1 and 1000000");
  EXPECT_EQ(pair_error("[1, 2, 3]"),
            "lesson.json: conv.stride has 3 numbers; give one number or a [height, width] pair");
  EXPECT_EQ(pair_error("[1, 1.5]"),
            "lesson.json: conv.stride[1] must be a whole number, not a number with a fraction "
            "(1.5)");
  // Range after conversion: the number as written, never a wrapped one.
  EXPECT_EQ(pair_error("4294967297"),
            "lesson.json: conv.stride is 4294967297; it must be between 1 and 1000000");
  EXPECT_EQ(pair_error("18446744073709551615"),
            "lesson.json: conv.stride is 18446744073709551615; it must be between 1 and 1000000");
  EXPECT_EQ(pair_error("-9223372036854775808"),
            "lesson.json: conv.stride is -9223372036854775808; it must be between 1 and 1000000");
  auto ok = rd.pair(parsed("[2, 1000000]"), "conv.stride", million);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->first, 2);
  EXPECT_EQ(ok->second, 1000000);
  EXPECT_EQ(rd.boolean(parsed("1"), "flip_kernel").error().message,
            "lesson.json: flip_kernel must be true or false, not a number");
  EXPECT_EQ(rd.text(parsed("[]"), "title").error().message,
            "lesson.json: title must be text in quotes, not a list");
  EXPECT_EQ(rd.one_of(parsed("\"dense\""), "op", {"conv", "pool"}).error().message,
            "lesson.json: op is \"dense\"; use \"conv\" or \"pool\"");
  EXPECT_EQ(rd.one_of(parsed("\"x\""), "d", {"a", "b", "c"}).error().message,
            "lesson.json: d is \"x\"; use \"a\", \"b\" or \"c\"");
  EXPECT_EQ(*rd.one_of(parsed("\"pool\""), "op", {"conv", "pool"}), 1);
  EXPECT_EQ(rd.object_with(parsed("{\"strid\": 1}"), "conv", {"stride", "padding"}).error().message,
            "lesson.json: unknown key \"strid\" in conv; the keys allowed there are: stride, "
            "padding");
  EXPECT_EQ(rd.object_with(parsed("[1]"), "", {}).error().message,
            "lesson.json: the file must be a JSON object {...}, not a list");
  EXPECT_EQ(rd.pair(parsed("0"), "k", million).error().field, "scene");
}

// Issue 10: a float32 value of 1e300 loaded as +inf, because finiteness was checked before the
// conversion. Now the converted value is checked.
TEST(JsonRead, NumbersAreCheckedAfterConversionToTheDtype) {
  const JsonReader rd("lesson.json", JsonWording::scene, "scene");
  EXPECT_EQ(rd.number(parsed("1e300"), "input.values[0]", DType::f32).error().message,
            "lesson.json: input.values[0] is 1e+300, beyond float32's range (-3.4028235e+38 to "
            "3.4028235e+38); use a smaller number or \"dtype\": \"float64\"");
  EXPECT_FALSE(rd.number(parsed("-3.5e38"), "v", DType::f32).has_value());
  EXPECT_EQ(*rd.number(parsed("1e300"), "v", DType::f64), 1e300);
  // The largest float32 and a number that rounds to it are fine.
  EXPECT_TRUE(rd.number(parsed("3.4028234663852886e38"), "v", DType::f32).has_value());
  EXPECT_TRUE(rd.number(parsed("3.4028235e38"), "v", DType::f32).has_value());
  EXPECT_EQ(*rd.number(parsed("18446744073709551615"), "v", DType::f64), 18446744073709551615.0);
  const JsonReader layers("l.json layer 1", JsonWording::layers, "layers");
  EXPECT_EQ(layers.number(parsed("-1e300"), "bias", DType::f32).error().message,
            "l.json layer 1: bias is -1e+300, beyond float32's range (-3.4028235e+38 to "
            "3.4028235e+38)");
}

// The layers wording: `convscope render --layers`'s own sentences, word for word; numbers below
// the minimum pass (the engine names the layer when it refuses them), numbers beyond an int not.
TEST(JsonRead, LayersSentences) {
  const JsonReader rd("l.json layer 2", JsonWording::layers, "layers");
  const IntRange size{1, 2147483647};
  EXPECT_EQ(rd.pair(parsed("\"2\""), "stride", size).error().message,
            "l.json layer 2 stride must be a whole number or a pair [h, w], not \"2\"");
  EXPECT_EQ(rd.pair(parsed("[1, 2, 3]"), "stride", size).error().message,
            "l.json layer 2 stride must be a whole number or a pair [h, w], not [1,2,3]");
  EXPECT_EQ(rd.pair(parsed("[1.5, 4294967297]"), "stride", size).error().message,
            "l.json layer 2 stride must be a whole number or a pair [h, w], not [1.5,4294967297]");
  EXPECT_EQ(*rd.pair(parsed("0"), "stride", size), (std::pair<int, int>{0, 0}));
  EXPECT_EQ(*rd.pair(parsed("[-2, 3]"), "stride", size), (std::pair<int, int>{-2, 3}));
  EXPECT_EQ(rd.pair(parsed("4294967297"), "stride", size).error().message,
            "l.json layer 2: stride is 4294967297; it must be between 1 and 2147483647");
  EXPECT_EQ(rd.pair(parsed("[1, -4294967297]"), "stride", size).error().message,
            "l.json layer 2: stride[1] is -4294967297; it must be between 1 and 2147483647");
  EXPECT_EQ(rd.whole(parsed("1.5"), "groups", size).error().message,
            "l.json layer 2: groups is a whole number");
  EXPECT_EQ(rd.whole(parsed("2147483648"), "groups", size).error().message,
            "l.json layer 2: groups is 2147483648; it must be between 1 and 2147483647");
  EXPECT_EQ(rd.boolean(parsed("1"), "ceil_mode").error().message,
            "l.json layer 2: ceil_mode is true or false");
  EXPECT_EQ(rd.text(parsed("3"), "padding_mode").error().message,
            "l.json layer 2: padding_mode is a string");
  EXPECT_EQ(rd.one_of(parsed("3"), "pool", {"max", "avg"}).error().message,
            "l.json layer 2: \"pool\" must be \"max\" or \"avg\"");
  EXPECT_EQ(rd.one_of(parsed("\"min\""), "pool", {"max", "avg"}).error().message,
            "l.json layer 2: \"pool\" must be \"max\" or \"avg\"");
  // A deep or long value is shown cut.
  EXPECT_EQ(rd.pair(parsed("{\"a\": " + nested(50) + "}"), "kernel", size).error().message,
            "l.json layer 2 kernel must be a whole number or a pair [h, w], not {\"a\":" +
                std::string(35, '[') + "...");
}

}  // namespace
}  // namespace cs
