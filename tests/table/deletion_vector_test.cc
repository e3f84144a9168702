// Deletion vectors: deletes that mark rows instead of rewriting files, read back through
// every path (latest, time travel, checkpoints, inline vectors), purged by optimize,
// kept by vacuum while live; corrupt vectors are errors naming the file.
#include "table/deletion_vector.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "table/table_fixture.h"

namespace strata {
namespace {

std::vector<std::string> VectorFiles(const std::string& table_path) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(table_path)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("deletion_vector_", 0) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DeletionVectorFormat, Z85AndTheUuidFileNameOfOtherWriters) {
  // The descriptor of delta-kernel-rs' table-with-dv-small test table and its file.
  DeletionVector dv;
  dv.storage_type = "u";
  dv.path_or_inline = "vBn[lx{q8@P<9BNH/isA";
  ASSERT_OK_AND_ASSIGN(std::string file, delta::DeletionVectorFile(dv));
  EXPECT_EQ(file, "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
  dv.path_or_inline = "ab" + dv.path_or_inline;  // a random prefix is a folder
  ASSERT_OK_AND_ASSIGN(file, delta::DeletionVectorFile(dv));
  EXPECT_EQ(file, "ab/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin");
  dv.path_or_inline = "too short";
  EXPECT_FALSE(delta::DeletionVectorFile(dv).ok());
  // Z85's own test vector (the ZeroMQ RFC 32 example).
  const std::string bytes("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8);
  EXPECT_EQ(delta::Z85Encode(bytes), "HelloWorld");
  EXPECT_EQ(delta::Z85Decode("HelloWorld"), bytes);
  EXPECT_FALSE(delta::Z85Decode("Hello").value_or("").size() == 5);
  EXPECT_FALSE(delta::Z85Decode("Hell~").has_value());
}

TEST_F(TableTest, DeletesWriteDeletionVectorsInsteadOfRewritingFiles) {
  auto t = Open("dv");
  WriteOptions create;
  create.properties = {{"delta.enableDeletionVectors", "true"}};
  ASSERT_OK(t->Write(Rows("SELECT range AS id, range % 7 AS g FROM range(1000)"), create).status());
  ASSERT_OK(t->Write(Rows("SELECT range AS id, range % 7 AS g FROM range(1000, 1500)")).status());
  {
    ASSERT_OK_AND_ASSIGN(auto snap, t->Latest());
    EXPECT_EQ(snap->min_reader_version, 3);
    EXPECT_EQ(snap->min_writer_version, 7);
    EXPECT_EQ(snap->reader_features, std::vector<std::string>{"deletionVectors"});
    EXPECT_EQ(snap->writer_features,
              (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors"}));
  }
  ASSERT_OK_AND_ASSIGN(auto before, t->Latest());
  // Rows of both files go: the files stay, each with a vector, in one .bin file.
  ASSERT_OK_AND_ASSIGN(int64_t v2, t->Delete("id % 10 = 3"));
  ASSERT_OK_AND_ASSIGN(auto after, t->AtVersion(v2));
  ASSERT_EQ(after->files.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after->files[i].path, before->files[i].path);
    ASSERT_TRUE(after->files[i].deletion_vector.has_value());
    EXPECT_EQ(after->files[i].deletion_vector->storage_type, "u");
  }
  EXPECT_EQ(
      after->files[0].deletion_vector->cardinality + after->files[1].deletion_vector->cardinality,
      150);
  EXPECT_EQ(after->num_records(), 1350);
  EXPECT_EQ(VectorFiles(t->path()).size(), 1u);
  EXPECT_NE(after->files[0].stats_json.find("\"tightBounds\":false"), std::string::npos);
  auto rows = [&](int64_t version) {
    return static_cast<int64_t>(Read(t.get(), version).num_rows());
  };
  DataFrame s2 = Read(t.get(), v2);
  // sum(0..1499) - sum of ids ending in 3
  int64_t expect = 1499LL * 1500 / 2, got = 0;
  for (int64_t i = 3; i < 1500; i += 10) expect -= i;
  for (size_t r = 0; r < s2.num_rows(); ++r) got += s2.column(0).GetInt64(r);
  EXPECT_EQ(got, expect);
  EXPECT_EQ(s2.num_rows(), 1350u);

  // A second delete adds to a file's vector; time travel still sees the rows.
  ASSERT_OK_AND_ASSIGN(int64_t v3, t->Delete("id < 100"));
  EXPECT_EQ(rows(v3), 1350 - 90);
  EXPECT_EQ(rows(v2), 1350);
  EXPECT_EQ(rows(before->version), 1500);
  ASSERT_OK_AND_ASSIGN(auto history, t->History());
  EXPECT_EQ(history.back().operation, "DELETE");
  EXPECT_EQ(history.back().rows_removed, 90);
  EXPECT_EQ(history.back().rows_added, 0);
  EXPECT_EQ(history.back().operation_metrics.at("numDeletedRows"), "90");

  // Checkpoints carry the vectors and the protocol's features.
  ASSERT_OK(t->Checkpoint(v3));
  {
    ASSERT_OK_AND_ASSIGN(auto fresh, Lake::Open(tmp_ / "lake", false));
    ASSERT_OK_AND_ASSIGN(auto again, fresh->OpenTable("dv"));
    ASSERT_OK_AND_ASSIGN(auto snap, again->Latest());
    EXPECT_EQ(snap->checkpoint_version, v3);
    EXPECT_EQ(snap->writer_features.size(), 3u);
    EXPECT_EQ(snap->num_records(), 1260);
    ASSERT_OK_AND_ASSIGN(Frame f, again->Scan(*snap));
    EXPECT_EQ(Collect(f).num_rows(), 1260u);
  }

  // Deleting every row left in a file removes the file.
  ASSERT_OK_AND_ASSIGN(int64_t v4, t->Delete("id >= 1000"));
  ASSERT_OK_AND_ASSIGN(auto snap4, t->AtVersion(v4));
  EXPECT_EQ(snap4->files.size(), 1u);
  EXPECT_EQ(snap4->num_records(), 810);

  // Optimize purges the vectors: one file, no vector, same rows.
  const auto rows_before = SortedRows(Read(t.get()));
  ASSERT_OK_AND_ASSIGN(int64_t v5, t->Optimize());
  ASSERT_OK_AND_ASSIGN(auto snap5, t->AtVersion(v5));
  ASSERT_EQ(snap5->files.size(), 1u);
  EXPECT_FALSE(snap5->files[0].deletion_vector.has_value());
  EXPECT_EQ(snap5->files[0].num_records, 810);
  EXPECT_EQ(SortedRows(Read(t.get())), rows_before);

  // Restore to a version with vectors: the old vectors come back with their files.
  ASSERT_OK_AND_ASSIGN(int64_t v6, t->Restore(v2));
  EXPECT_EQ(Read(t.get(), v6).num_rows(), 1350u);

  // Vacuum removes the .bin no version needs now (v3's) but never a live one (v2's,
  // restored).
  ASSERT_EQ(VectorFiles(t->path()).size(), 2u);
  ASSERT_OK(t->Vacuum(0, false).status());
  EXPECT_EQ(VectorFiles(t->path()).size(), 1u);
  EXPECT_EQ(Read(t.get()).num_rows(), 1350u);
}

TEST_F(TableTest, DeletionVectorsAreEnabledOnAnExistingTableAndReadInline) {
  auto t = Open("later");
  ASSERT_OK(t->Write(Rows("SELECT range AS id FROM range(100)")).status());
  ASSERT_OK(t->Delete("id < 10").status());  // rewrites: vectors are not enabled
  EXPECT_TRUE(VectorFiles(t->path()).empty());
  ASSERT_OK_AND_ASSIGN(int64_t v, t->SetProperties({{"delta.enableDeletionVectors", "true"}}));
  ASSERT_OK_AND_ASSIGN(auto snap, t->AtVersion(v));
  EXPECT_EQ(snap->min_writer_version, 7);
  ASSERT_OK(t->Delete("id < 20").status());
  ASSERT_EQ(VectorFiles(t->path()).size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto latest, t->Latest());
  ASSERT_EQ(latest->files.size(), 1u);
  const DataFile& f = latest->files[0];
  ASSERT_TRUE(f.deletion_vector.has_value());
  EXPECT_EQ(f.deletion_vector->cardinality, 10);

  // The same vector inline (storage type i, as Spark writes small ones): the bytes of the
  // vector in the .bin file, Z85-encoded into the log.
  std::ifstream in(t->path() + "/" + VectorFiles(t->path())[0], std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string data = content.substr(*f.deletion_vector->offset + 4,
                                          static_cast<size_t>(f.deletion_vector->size_in_bytes));
  DataFile inline_file = f;
  inline_file.deletion_vector->storage_type = "i";
  inline_file.deletion_vector->path_or_inline = delta::Z85Encode(data);
  inline_file.deletion_vector->offset.reset();
  ASSERT_OK(
      delta::WriteCommit(lake_->fs(), t->path(), latest->version + 1,
                         {delta::RemoveAction(f, 1, true), delta::AddAction(inline_file, true)}));
  auto ids = Collect(*Open("later")->Scan());
  ASSERT_EQ(ids.num_rows(), 80u);
  int64_t min = 1000;
  for (size_t r = 0; r < ids.num_rows(); ++r) min = std::min(min, ids.column(0).GetInt64(r));
  EXPECT_EQ(min, 20);
}

TEST_F(TableTest, ACorruptDeletionVectorIsAnErrorNamingItsFile) {
  auto t = Open("bad");
  WriteOptions create;
  create.properties = {{"delta.enableDeletionVectors", "true"}};
  ASSERT_OK(t->Write(Rows("SELECT range AS id FROM range(100)"), create).status());
  ASSERT_OK(t->Delete("id % 2 = 0").status());
  const std::string bin = t->path() + "/" + VectorFiles(t->path())[0];
  std::string content;
  {
    std::ifstream in(bin, std::ios::binary);
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  content[content.size() - 6] ^= 0x5a;  // inside the bitmap: the checksum no longer holds
  {
    std::ofstream out(bin, std::ios::binary | std::ios::trunc);
    out << content;
  }
  auto read = Open("bad")->Scan();
  const Status st = read.ok() ? read->collect().status() : read.status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(bin), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("checksum"), std::string::npos);
  // A missing vector file is named too, and a delete fails without writing.
  std::filesystem::remove(bin);
  auto gone = Open("bad")->Delete("id = 1");
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find("deletion vector file"), std::string::npos)
      << gone.status().message();
  EXPECT_EQ((*t->Latest())->version, 1);
  // Leave a readable table for the protocol check.
  ASSERT_OK(t->Restore(0).status());
}

}  // namespace
}  // namespace strata
