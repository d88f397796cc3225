// Tests for the command line's argument parsing (app/cli/cli_args): strict numbers, pairs as
// (height, width), padding words, shapes, option forms and their error sentences, and the
// conv/pool parameter options. In-process, no executable. Depends on app/cli/cli_args.hpp.
#include "app/cli/cli_args.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/layers.hpp"

namespace cs::cli {
namespace {

const CommandSpec& test_spec() {
  static const CommandSpec spec{"conv",
                                "...",
                                "test",
                                {
                                    {"--input", "X.npy", "the input"},
                                    {"--stride", "S|SH,SW", "stride"},
                                    {"--padding", "P|PH,PW|same|valid", "padding"},
                                    {"--dilation", "D|DH,DW", "dilation"},
                                    {"--groups", "G", "groups"},
                                    {"--padding-mode", "MODE", "padding mode"},
                                    {"--layout", "nchw|nhwc", "layout"},
                                    {"--op", "max|avg", "op"},
                                    {"--kernel", "K|KH,KW", "kernel"},
                                    {"--ceil-mode", nullptr, "ceil"},
                                    {"--exclude-pad", nullptr, "exclude"},
                                    {"--framework", "pytorch|keras", "framework"},
                                    {"--flip", nullptr, "flip"},
                                },
                                nullptr};
  return spec;
}

// Parses `words` as if typed after `convscope conv`.
Result<Args> parse(std::vector<std::string> words) {
  std::vector<std::string> all = {"convscope", "conv"};
  all.insert(all.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (std::string& w : all)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  return parse_args(static_cast<int>(all.size()), argv.data(), 2, test_spec());
}

TEST(CliArgs, IntegersAreStrict) {
  EXPECT_EQ(*parse_int("--groups", "3"), 3);
  EXPECT_EQ(*parse_int("--groups", "+3"), 3);
  EXPECT_EQ(*parse_int("--groups", "-1"), -1);  // the engine explains why -1 is wrong
  for (const char* bad : {"", "3x", " 3", "3 ", "0x10", "3.0", "1e2", "+", "-"}) {
    auto r = parse_int("--groups", bad);
    ASSERT_FALSE(r.has_value()) << "'" << bad << "'";
    EXPECT_EQ(r.error().field, "--groups");
    EXPECT_NE(r.error().message.find("is not a whole number"), std::string::npos);
  }
  auto big = parse_int("--groups", "99999999999");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("out of range"), std::string::npos) << big.error().message;
}

// A pair is (height, width); one number means both.
TEST(CliArgs, PairsAreHeightThenWidth) {
  EXPECT_EQ(*parse_pair("--stride", "2"), std::make_pair(2, 2));
  EXPECT_EQ(*parse_pair("--stride", "2,1"), std::make_pair(2, 1));
  EXPECT_EQ(*parse_pair("--stride", "1,3"), std::make_pair(1, 3));
  for (const char* bad : {"0,x", "2,", ",2", "2,1,3", "2;1", "", "a"}) {
    auto r = parse_pair("--stride", bad);
    ASSERT_FALSE(r.has_value()) << "'" << bad << "'";
    EXPECT_EQ(r.error().message,
              std::string("--stride ") + bad + " is not a number or pair of numbers like 2 or 2,1");
  }
}

// --padding goes through core's padding_from_text, the reader layers files use too.
TEST(CliArgs, PaddingWordsAndPairs) {
  auto p = padding_from_text("--padding", "1,2");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->kind, PaddingSpec::Kind::explicit_);
  EXPECT_EQ(p->h, 1);
  EXPECT_EQ(p->w, 2);
  EXPECT_EQ(padding_from_text("--padding", "same")->kind, PaddingSpec::Kind::same);
  EXPECT_EQ(padding_from_text("--padding", "SAME")->kind, PaddingSpec::Kind::same);
  EXPECT_EQ(padding_from_text("--padding", "valid")->kind, PaddingSpec::Kind::valid);
  // 'full' (beyond PyTorch): dilation·(k − 1) on every side, SciPy's and NumPy's mode='full'.
  EXPECT_EQ(padding_from_text("--padding", "full")->kind, PaddingSpec::Kind::full);
  auto bad = padding_from_text("--padding", "fulll");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("'same', 'valid' or 'full'"), std::string::npos);
}

// The option parser hands --padding's text to that reader: its sentence, naming the option.
TEST(CliArgs, ConvParamsReadPaddingWithCoresReader) {
  for (const char* bad : {"fulll", "1,2,3", "2;1", "99999999999", "1.5"}) {
    auto a = parse({"--padding", bad});
    ASSERT_TRUE(a.has_value()) << a.error().message;
    auto p = conv_params_from(*a);
    ASSERT_FALSE(p.has_value()) << bad;
    EXPECT_EQ(p.error().message, std::string("--padding ") + bad +
                                     " is not a number, a pair like 1,2 (rows, columns), 'same', "
                                     "'valid' or 'full'");
    EXPECT_EQ(p.error().field, "--padding");
  }
  auto a = parse({"--padding", "+2,1"});
  ASSERT_TRUE(a.has_value());
  auto p = conv_params_from(*a);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->padding.h, 2);
  EXPECT_EQ(p->padding.w, 1);
}

TEST(CliArgs, Shapes) {
  EXPECT_EQ(*parse_shape("--input-shape", "1,3,224,224", 4), (Shape{1, 3, 224, 224}));
  EXPECT_FALSE(parse_shape("--input-shape", "1,3,224", 4).has_value());
  EXPECT_FALSE(parse_shape("--input-shape", "1,3,x,4", 4).has_value());
  EXPECT_EQ(shape_list({1, 64, 112, 112}), "[1, 64, 112, 112]");
}

TEST(CliArgs, OptionForms) {
  auto a =
      parse({"--stride", "2", "--padding=1,2", "--ceil-mode", "--stride", "3,1", "--groups", "-1"});
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(*a->get("--stride"), "3,1");  // the later one wins
  EXPECT_EQ(*a->get("--padding"), "1,2");
  EXPECT_EQ(*a->get("--groups"), "-1");  // a negative number is a value, not an option
  EXPECT_TRUE(a->has("--ceil-mode"));
  EXPECT_FALSE(a->has("--exclude-pad"));
  EXPECT_EQ(a->get("--dilation"), nullptr);
}

TEST(CliArgs, OptionErrors) {
  auto r = parse({"--strid", "2"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "unknown option --strid (did you mean --stride?)");
  r = parse({"--frobnicate"});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("convscope conv --help"), std::string::npos);
  r = parse({"--stride"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "--stride needs a value, like --stride S|SH,SW");
  r = parse({"--stride", "--padding", "1"});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("--stride needs a value"), std::string::npos);
  r = parse({"--stride="});
  ASSERT_FALSE(r.has_value());
  r = parse({"--ceil-mode=yes"});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("takes no value"), std::string::npos);
  r = parse({"-s", "2"});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("two dashes"), std::string::npos);
  auto ok = parse({"name"});
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->positional(), std::vector<std::string>{"name"});
  auto missing = require(*ok, test_spec(), {"--input"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("conv needs --input X.npy"), std::string::npos)
      << missing.error().message;
}

TEST(CliArgs, ConvParams) {
  auto a = parse({"--stride", "2,1", "--dilation", "1,3", "--padding", "0,2", "--groups", "4",
                  "--padding-mode", "Reflect", "--layout", "nhwc"});
  ASSERT_TRUE(a.has_value());
  auto p = conv_params_from(*a);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->stride_h, 2);
  EXPECT_EQ(p->stride_w, 1);
  EXPECT_EQ(p->dilation_h, 1);
  EXPECT_EQ(p->dilation_w, 3);
  EXPECT_EQ(p->padding.h, 0);
  EXPECT_EQ(p->padding.w, 2);
  EXPECT_EQ(p->groups, 4);
  EXPECT_EQ(p->padding_mode, PaddingMode::reflect);
  EXPECT_EQ(p->layout, Layout::nhwc);
  a = parse({"--padding-mode", "mirror"});
  EXPECT_FALSE(conv_params_from(*a).has_value());
  a = parse({"--layout", "chwn"});
  EXPECT_FALSE(conv_params_from(*a).has_value());
}

TEST(CliArgs, PoolParams) {
  auto a =
      parse({"--op", "avg", "--kernel", "3,2", "--padding", "1,0", "--exclude-pad", "--ceil-mode"});
  ASSERT_TRUE(a.has_value());
  auto p = pool_params_from(*a);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->op, PoolOp::avg);
  EXPECT_EQ(p->k_h, 3);
  EXPECT_EQ(p->k_w, 2);
  EXPECT_EQ(p->stride_h, 0);  // 0: the kernel size, resolved by the engine
  EXPECT_EQ(p->pad_h, 1);
  EXPECT_EQ(p->pad_w, 0);
  EXPECT_TRUE(p->ceil_mode);
  EXPECT_FALSE(p->count_include_pad);

  a = parse({"--op", "max", "--kernel", "2", "--exclude-pad"});
  auto bad = pool_params_from(*a);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("--exclude-pad"), std::string::npos);
  a = parse({"--op", "max", "--kernel", "2", "--padding", "same"});
  EXPECT_FALSE(pool_params_from(*a).has_value());
  a = parse({"--kernel", "2"});
  EXPECT_FALSE(pool_params_from(*a).has_value());
  a = parse({"--op", "max"});
  EXPECT_FALSE(pool_params_from(*a).has_value());
}

TEST(CliArgs, FrameworkAndKerasPadding) {
  EXPECT_EQ(*framework_from(*parse({})), Framework::pytorch);
  EXPECT_EQ(*framework_from(*parse({"--framework", "Keras"})), Framework::keras);
  auto bad = framework_from(*parse({"--framework", "jax"}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--framework jax is not a framework; use pytorch or keras");
  EXPECT_EQ(*keras_padding_from(*parse({})), KerasPadding::valid);  // Keras's default
  EXPECT_EQ(*keras_padding_from(*parse({"--padding", "SAME"})), KerasPadding::same);
  for (const char* numbers : {"1", "1,2", "full"}) {
    auto r = keras_padding_from(*parse({"--padding", numbers}));
    ASSERT_FALSE(r) << numbers;
    EXPECT_EQ(r.error().field, "--padding");
  }
  // Pooling and transposed conv leave 'same'/'valid' to keras_padding_from with keras only.
  auto pool = pool_params_from(*parse({"--op", "max", "--kernel", "2", "--padding", "same"}));
  ASSERT_FALSE(pool);
  EXPECT_NE(pool.error().message.find("with --framework keras"), std::string::npos);
  pool = pool_params_from(
      *parse({"--op", "max", "--kernel", "2", "--padding", "same", "--framework", "keras"}));
  ASSERT_TRUE(pool) << pool.error().message;
  EXPECT_EQ(pool->pad_h, 0);
  auto tr = conv_transpose_params_from(*parse({"--padding", "valid", "--framework", "keras"}));
  ASSERT_TRUE(tr) << tr.error().message;
  EXPECT_FALSE(conv_transpose_params_from(*parse({"--padding", "valid"})));
}

TEST(CliArgs, Conv1dParams) {
  auto p = conv1d_params_from(*parse({"--stride", "2", "--padding", "3", "--dilation", "2",
                                      "--groups", "4", "--padding-mode", "Reflect", "--flip"}));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->stride, 2);
  EXPECT_EQ(p->dilation, 2);
  EXPECT_EQ(p->groups, 4);
  EXPECT_EQ(p->padding.kind, PaddingSpec::Kind::explicit_);
  EXPECT_EQ(p->padding.w, 3);
  EXPECT_EQ(p->padding_mode, PaddingMode::reflect);
  EXPECT_TRUE(p->flip);
  for (const char* word : {"same", "valid", "full"}) {
    auto q = conv1d_params_from(*parse({"--padding", word}));
    ASSERT_TRUE(q) << word;
    EXPECT_EQ(padding_spec_to_string(q->padding), word);
  }
  auto bad = conv1d_params_from(*parse({"--dilation", "2,1"}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "--dilation 2,1 is a pair, a 2-D setting; conv1d takes one number like 2");
  bad = conv1d_params_from(*parse({"--groups", "x"}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--groups x is not a whole number like 2");
}

TEST(CliArgs, UsageListsEveryOption) {
  const std::string u = usage_text(test_spec());
  for (const OptionSpec& o : test_spec().options) {
    EXPECT_NE(u.find(o.name), std::string::npos) << o.name;
  }
  EXPECT_NE(u.find("--help"), std::string::npos);
}

}  // namespace
}  // namespace cs::cli
