// libFuzzer target: suite files, read as GE JSON and as YAML. Any input must end in a
// Suite or a Status: never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/quality.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto json = strata::quality::Suite::FromJson(text, "fuzz.json");
  if (json.ok()) (void)json->ToYaml();
  auto yaml = strata::quality::Suite::FromYaml(text, "fuzz.yaml");
  if (yaml.ok()) (void)yaml->ToJson();
  return 0;
}
