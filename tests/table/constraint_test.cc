// CHECK constraints: added only when the rows satisfy them, checked on every write (false
// and NULL are violations), named with a sample of the rows that break them; the
// protocol gets the writer version or feature they need.
#include <gtest/gtest.h>

#include "table/table_fixture.h"

namespace strata {
namespace {

TEST_F(TableTest, CheckConstraintsGuardEveryWrite) {
  auto t = Open("prices");
  ASSERT_OK(
      t->Write(Rows("SELECT range AS id, range * 1.5::DOUBLE AS price FROM range(5)")).status());
  // Existing rows must satisfy a new constraint.
  auto refused = t->AddConstraint("nonzero", "price > 0");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(
                "1 row(s) violate the CHECK constraint 'nonzero' (price > 0) of table 'prices', "
                "such as (id=0, price=0.0), so it cannot be added; nothing was written"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ((*t->Latest())->version, 0);
  ASSERT_OK_AND_ASSIGN(int64_t v1, t->AddConstraint("Positive", "price >= 0"));
  ASSERT_OK_AND_ASSIGN(auto snap, t->AtVersion(v1));
  EXPECT_EQ(snap->configuration.at("delta.constraints.positive"), "price >= 0");
  EXPECT_EQ(snap->min_writer_version, 3);
  EXPECT_EQ(t->AddConstraint("positive", "price > -1").status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(t->SetProperties({{"delta.constraints.x", "true"}}).ok());

  // Writes: every row checked; NULL is a violation, as the protocol says.
  ASSERT_OK(t->Write(Rows("SELECT 10::BIGINT AS id, 2.0::DOUBLE AS price")).status());
  for (const char* bad :
       {"SELECT 11::BIGINT AS id, -2.0::DOUBLE AS price UNION ALL SELECT 12, -3.0",
        "SELECT 13::BIGINT AS id, CAST(NULL AS DOUBLE) AS price"}) {
    auto w = t->Write(Rows(bad));
    ASSERT_FALSE(w.ok()) << bad;
    EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(w.status().message().find("violate the CHECK constraint 'positive' (price >= 0)"),
              std::string::npos)
        << w.status().message();
    EXPECT_NE(w.status().message().find("such as (id=1"), std::string::npos);
    EXPECT_NE(w.status().message().find("nothing was written"), std::string::npos);
  }
  EXPECT_EQ((*t->Latest())->version, 2);
  EXPECT_EQ(Read(t.get()).num_rows(), 6u);
  WriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  EXPECT_FALSE(t->Write(Rows("SELECT 1::BIGINT AS id, -1.0::DOUBLE AS price"), overwrite).ok());

  // A constraint that does not compile is named when added.
  auto bad_sql = t->AddConstraint("broken", "no_such_column > 1");
  ASSERT_FALSE(bad_sql.ok());
  EXPECT_NE(bad_sql.status().message().find("broken"), std::string::npos)
      << bad_sql.status().message();

  // Dropped, it no longer applies.
  EXPECT_EQ(t->DropConstraint("nope").status().code(), StatusCode::kNotFound);
  ASSERT_OK(t->DropConstraint("POSITIVE").status());
  ASSERT_OK(t->Write(Rows("SELECT 11::BIGINT AS id, -2.0::DOUBLE AS price")).status());
}

TEST_F(TableTest, ConstraintsOnATableWithDeletionVectorsUseItsFeatureList) {
  auto t = Open("both");
  WriteOptions create;
  create.properties = {{"delta.enableDeletionVectors", "true"}};
  ASSERT_OK(t->Write(Rows("SELECT range AS x FROM range(10)"), create).status());
  ASSERT_OK(t->AddConstraint("small", "x < 100").status());
  ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
  EXPECT_EQ(snap->min_writer_version, 7);
  EXPECT_EQ(snap->writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors",
                                      "checkConstraints"}));
  EXPECT_FALSE(t->Write(Rows("SELECT 100::BIGINT AS x")).ok());
  ASSERT_OK(t->Delete("x = 3").status());
  EXPECT_EQ(Read(t.get()).num_rows(), 9u);
  // A table of writer version 3 gets deletion vectors with checkConstraints listed.
  auto v3 = Open("v3");
  ASSERT_OK(v3->Write(Rows("SELECT range AS x FROM range(10)")).status());
  ASSERT_OK(v3->AddConstraint("small", "x < 100").status());
  ASSERT_OK(v3->SetProperties({{"delta.enableDeletionVectors", "true"}}).status());
  ASSERT_OK_AND_ASSIGN(auto s3, v3->Latest());
  EXPECT_EQ(s3->writer_features, (std::vector<std::string>{"appendOnly", "invariants",
                                                           "checkConstraints", "deletionVectors"}));
}

}  // namespace
}  // namespace strata
