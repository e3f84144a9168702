// The registry of expectation kinds: each kinds file adds its own, explicitly, so a
// static link keeps every kind.
#include "common/closest.h"
#include "quality/families.h"

namespace strata::quality::detail {

Registry& Registry::Get() {
  static Registry registry = [] {
    Registry r;
    RegisterColumnMapKinds(&r);
    RegisterAggregateKinds(&r);
    RegisterTableKinds(&r);
    RegisterMultiColumnKinds(&r);
    RegisterPairInSetKind(&r);
    RegisterUnexpectedRowsKind(&r);
    RegisterOtherTableKind(&r);
    RegisterDateutilKind(&r);
    RegisterJsonSchemaKind(&r);
    RegisterKlDivergenceKind(&r);
    return r;
  }();
  return registry;
}

void Registry::Register(const std::string& type, Factory factory,
                        std::vector<std::string> positional) {
  kinds_[type] = {std::move(factory), std::move(positional)};
}

std::unique_ptr<ExpectationKind> Registry::Make(const std::string& type) const {
  auto it = kinds_.find(type);
  return it == kinds_.end() ? nullptr : it->second.first();
}

const std::vector<std::string>* Registry::Positional(const std::string& type) const {
  auto it = kinds_.find(type);
  return it == kinds_.end() ? nullptr : &it->second.second;
}

std::vector<std::string> Registry::Types() const {
  std::vector<std::string> out;
  for (const auto& [t, k] : kinds_) out.push_back(t);
  return out;
}

std::vector<std::string> Registry::Closest(const std::string& type, size_t n) const {
  return ClosestNames(type, Types(), n);
}

}  // namespace strata::quality::detail
