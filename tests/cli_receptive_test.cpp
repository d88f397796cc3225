// `convscope receptive-field`, run as a student would: the real executable (CONVSCOPE_EXE) on
// layers files written into a temporary folder. The seed README's 4-layer stack by hand, a
// strided stack with pooling, the JSON, and every refusal (exit 2, one sentence on stderr).
// Depends on core/, nlohmann-json and GoogleTest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/layers.hpp"
#include "core/receptive_field.hpp"
#include "test_util.hpp"

namespace cs {
namespace {

namespace fs = std::filesystem;

class CliReceptiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("convscope_cli_rf_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = (m_dir / name).string();
    std::ofstream(p) << text;
    return p;
  }
  // convscope receptive-field ARGS, stdout and stderr together.
  static test::CommandRun rf(const std::string& args) {
    return test::run_command(std::string(CONVSCOPE_EXE) + " receptive-field " + args + " 2>&1");
  }
  // The seed README's 4-layer stack: 3×3, stride 1, padding 1, four times.
  std::string four_layers() const {
    const std::string l = R"({"kernel": "box-blur", "padding": 1})";
    return write("four.json", "[" + l + "," + l + "," + l + "," + l + "]");
  }
  fs::path m_dir;
};

const std::string kMinus = "\xE2\x88\x92", kDot = "\xC2\xB7", kTimes = "\xC3\x97";

TEST_F(CliReceptiveTest, SeedFourLayersTableAndBox) {
  const test::CommandRun r = rf("--layers " + four_layers() + " --input-shape 1,3,16,16 --at 0,0");
  ASSERT_EQ(r.status, 0) << r.output;
  // Each 3×3 layer adds (3 − 1)·1·1 = 2: 3, 5, 7, 9; each padding of 1 moves the start by 1.
  EXPECT_NE(r.output.find("layer 4 (box-blur)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("9" + kTimes + "9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rows and columns: size = 7 + (3 " + kMinus + " 1)" + kDot + "1" + kDot +
                          "1 = 9; jump = 1" + kDot + "1 = 1; start = " + kMinus + "3 " + kMinus +
                          " 1" + kDot + "1 = " + kMinus + "4"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("cell (0, 0) of layer 4's output depends on input rows 0 to 4 and "
                          "columns 0 to 4 (5" +
                          kTimes + "5 cells of the 16" + kTimes + "16 input)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("rows " + kMinus +
                          "4 to 4 (9; 4 in the padding above row 0, 0 below "
                          "the last row)"),
            std::string::npos)
      << r.output;
}

TEST_F(CliReceptiveTest, JsonWithStrideAndPooling) {
  // sobel-x 3×3 stride 2 padding 1 on 32: 16 rows, size 3, jump 2, start −1; max pool 2: 8
  // rows, size 3 + 1·2 = 5, jump 4, start −1. Cell (7, 0): rows 4·7 − 1 = 27 .. 31.
  const std::string file =
      write("s.json",
            R"([{"kernel": "sobel-x", "stride": 2, "padding": 1}, {"pool": "max", "kernel": 2}])");
  const test::CommandRun r = rf("--layers " + file + " --input-shape 1,1,32,32 --at 7,0 --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][1]["kind"], "pool");
  EXPECT_EQ(j["layers"][1]["output_shape"], nlohmann::json::parse("[1, 1, 8, 8]"));
  EXPECT_EQ(j["layers"][1]["rows"]["size_max"], 5);
  EXPECT_EQ(j["layers"][1]["rows"]["jump"], nlohmann::json::parse("[4, 1]"));
  EXPECT_EQ(j["layers"][1]["rows"]["start"], -1);
  EXPECT_EQ(j["at"]["rows"]["first"], 27);
  EXPECT_EQ(j["at"]["rows"]["last"], 31);
  EXPECT_EQ(j["at"]["rows"]["padding_after"], 0);
  EXPECT_EQ(j["at"]["columns"]["field_first"], -1);
  EXPECT_EQ(j["at"]["columns"]["first"], 0);
  EXPECT_EQ(j["at"]["columns"]["padding_before"], 1);
}

// A down/up stack: conv stride 2, ReLU, transposed stride 2. ReLU keeps the field; the
// transposed layer's JSON row is checked against the same numbers rf_layers gives.
TEST_F(CliReceptiveTest, ReluAndTransposedLayers) {
  const std::string file = write("up.json", R"([{"kernel": "box-blur", "stride": 2, "padding": 1},
      {"relu": true},
      {"transpose": true, "kernel": "box-blur", "stride": 2, "padding": 1, "output_padding": 1}])");
  const test::CommandRun r = rf("--layers " + file + " --input-shape 1,1,16,16 --at 5,5 --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json j = nlohmann::json::parse(r.output);
  ASSERT_EQ(j["layers"].size(), 3u);
  EXPECT_EQ(j["layers"][1]["kind"], "relu");
  EXPECT_EQ(j["layers"][1]["output_shape"], nlohmann::json::parse("[1, 1, 8, 8]"));
  EXPECT_EQ(j["layers"][1]["rows"], j["layers"][0]["rows"]);
  EXPECT_EQ(j["layers"][2]["kind"], "conv-transpose");
  EXPECT_EQ(j["layers"][2]["output_shape"], nlohmann::json::parse("[1, 1, 16, 16]"));
  Result<std::vector<Layer>> layers = load_layers(file);
  ASSERT_TRUE(layers.has_value());
  Result<std::vector<RfLayer>> stack = rf_layers(*layers, {1, 1, 16, 16}, file);
  ASSERT_TRUE(stack.has_value());
  const RfBox box = rf_box(*stack, 5, 5);
  EXPECT_EQ(j["at"]["rows"]["first"], box.y.depends.lo);
  EXPECT_EQ(j["at"]["rows"]["last"], box.y.depends.hi);
  EXPECT_EQ(j["at"]["columns"]["first"], box.x.depends.lo);
}

TEST_F(CliReceptiveTest, HelpAndCommandList) {
  const test::CommandRun help = rf("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.output.find("--at Y,X"), std::string::npos);
  const test::CommandRun top = test::run_command(std::string(CONVSCOPE_EXE) + " --help");
  EXPECT_NE(top.output.find("receptive-field"), std::string::npos);
}

TEST_F(CliReceptiveTest, RefusalsAreOneSentenceWithStatus2) {
  const std::string good = four_layers();
  struct Case {
    std::string args, expected;
  };
  const std::string bad_json = write("bad.json", "[{\"kernel\": ");
  const std::string pool5 = write("p.json", R"([{"pool": "avg", "kernel": 5, "padding": 0}])");
  const Case cases[] = {
      {"--input-shape 1,3,16,16", "receptive-field needs --layers L.json"},
      {"--layers " + good, "receptive-field needs --input-shape N,C,H,W"},
      {"--layers " + good + " --input-shape 1,3,16",
       "--input-shape 1,3,16 is not 4 comma-separated whole numbers like 1,3,224,224"},
      {"--layers " + good + " --input-shape 1,3,0,16",
       "--input-shape 1,3,0,16 has a dimension below 1"},
      {"--layers " + good + " --input-shape 1,3,16,16 --at 16,0",
       "--at 16,0 is outside the last layer's 16" + kTimes +
           "16 output; rows go from 0 to 15, columns from 0 to 15"},
      {"--layers " + good + " --input-shape 1,3,16,16 --at -1,2", "--at -1,2 is outside"},
      {"--layers " + good + " --input-shape 1,3,16,16 --at here",
       "--at here is not a cell like 3,4 (row, column from 0)"},
      {"--layers " + bad_json + " --input-shape 1,3,16,16", bad_json + " is not valid JSON"},
      {"--layers " + pool5 + " --input-shape 1,1,4,4", pool5 + " layer 1 (avg pool): "},
      {"--layers " + good + " --input-shape 1,3,16,16 --stride 2", "unknown option --stride"},
  };
  for (const Case& c : cases) {
    const test::CommandRun r = rf(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("convscope receptive-field: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

}  // namespace
}  // namespace cs
