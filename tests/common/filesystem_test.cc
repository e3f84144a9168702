#include "strata/filesystem.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace strata {
namespace {

// The same contract, run against both implementations.
class FileSystemContract : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      fs_ = NewLocalFileSystem();
      root_ = tmp_.path();
    } else {
      fs_ = std::make_unique<MemoryFileSystem>();
      root_ = "/lake";
      ASSERT_OK(fs_->CreateDirs(root_));
    }
  }
  Status Write(const std::string& path, const std::string& data) {
    STRATA_ASSIGN_OR_RETURN(auto file, fs_->NewWritableFile(path));
    STRATA_RETURN_NOT_OK(file->Append(data));
    STRATA_RETURN_NOT_OK(file->Sync());
    return file->Close();
  }
  testing::TempDir tmp_;
  std::unique_ptr<FileSystem> fs_;
  std::string root_;
};

TEST_P(FileSystemContract, WriteReadStatList) {
  ASSERT_OK(fs_->CreateDirs(root_ + "/t/_delta_log"));
  ASSERT_OK(Write(root_ + "/t/a.txt", "hello"));
  ASSERT_OK_AND_ASSIGN(std::string data, fs_->ReadFile(root_ + "/t/a.txt"));
  EXPECT_EQ(data, "hello");
  ASSERT_OK_AND_ASSIGN(FileInfo info, fs_->Stat(root_ + "/t/a.txt"));
  EXPECT_FALSE(info.is_directory);
  EXPECT_EQ(info.size, 5u);
  ASSERT_OK_AND_ASSIGN(auto names, fs_->ListDir(root_ + "/t"));
  EXPECT_EQ(names, (std::vector<std::string>{"_delta_log", "a.txt"}));
  EXPECT_TRUE(fs_->Stat(root_ + "/t")->is_directory);
}

TEST_P(FileSystemContract, MissingFilesAreNotFound) {
  EXPECT_EQ(fs_->ReadFile(root_ + "/nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Stat(root_ + "/nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->RemoveFile(root_ + "/nope").code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs_->Exists(root_ + "/nope"));
  Status st = fs_->ReadFile(root_ + "/nope").status();
  EXPECT_NE(st.message().find("/nope"), std::string::npos) << st.message();
}

TEST_P(FileSystemContract, ReadingADirectoryIsAnError) {
  EXPECT_EQ(fs_->ReadFile(root_).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(FileSystemContract, LinkIfAbsentIsPutIfAbsent) {
  ASSERT_OK(Write(root_ + "/tmp1", "first"));
  ASSERT_OK(Write(root_ + "/tmp2", "second"));
  ASSERT_OK(fs_->LinkIfAbsent(root_ + "/tmp1", root_ + "/00000.json"));
  Status lost = fs_->LinkIfAbsent(root_ + "/tmp2", root_ + "/00000.json");
  EXPECT_EQ(lost.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*fs_->ReadFile(root_ + "/00000.json"), "first");
}

TEST_P(FileSystemContract, WriteFileAtomicReplacesWhole) {
  ASSERT_OK(fs_->WriteFileAtomic(root_ + "/_last_checkpoint", "v1"));
  ASSERT_OK(fs_->WriteFileAtomic(root_ + "/_last_checkpoint", "version two"));
  EXPECT_EQ(*fs_->ReadFile(root_ + "/_last_checkpoint"), "version two");
  ASSERT_OK_AND_ASSIGN(auto names, fs_->ListDir(root_));
  EXPECT_EQ(names, std::vector<std::string>{"_last_checkpoint"}) << "temporary file left behind";
}

TEST_P(FileSystemContract, RenameAndRemove) {
  ASSERT_OK(Write(root_ + "/a", "x"));
  ASSERT_OK(fs_->Rename(root_ + "/a", root_ + "/b"));
  EXPECT_FALSE(fs_->Exists(root_ + "/a"));
  ASSERT_OK(fs_->RemoveFile(root_ + "/b"));
  EXPECT_FALSE(fs_->Exists(root_ + "/b"));
}

INSTANTIATE_TEST_SUITE_P(Both, FileSystemContract, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Local" : "Memory"; });

TEST(MemoryFileSystem, InjectedFaultFailsTheMatchingCallOnly) {
  MemoryFileSystem fs;
  ASSERT_OK(fs.CreateDirs("/t"));
  fs.InjectFault(FsOp::kSync, "commit", /*count=*/1);
  auto ok_file = fs.NewWritableFile("/t/other");
  ASSERT_OK(ok_file.status());
  EXPECT_OK((*ok_file)->Sync());
  auto file = fs.NewWritableFile("/t/commit.json");
  ASSERT_OK(file.status());
  ASSERT_OK((*file)->Append("{}"));
  Status st = (*file)->Sync();
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("injected"), std::string::npos);
  EXPECT_OK((*file)->Sync()) << "the fault fires once";
}

TEST(MemoryFileSystem, SkipLetsEarlierCallsSucceed) {
  MemoryFileSystem fs;
  ASSERT_OK(fs.CreateDirs("/t"));
  fs.InjectFault(FsOp::kOpenWrite, "/t/", 1, /*skip=*/2);
  EXPECT_OK(fs.NewWritableFile("/t/1").status());
  EXPECT_OK(fs.NewWritableFile("/t/2").status());
  EXPECT_FALSE(fs.NewWritableFile("/t/3").ok());
  EXPECT_OK(fs.NewWritableFile("/t/4").status());
  EXPECT_EQ(fs.CallCount(FsOp::kOpenWrite), 4);
}

TEST(MemoryFileSystem, PowerLossKeepsOnlySyncedData) {
  MemoryFileSystem fs;
  ASSERT_OK(fs.CreateDirs("/t"));
  ASSERT_OK(fs.SyncDir("/"));
  // A: synced content and directory entry.
  {
    auto f = std::move(fs.NewWritableFile("/t/a")).value();
    ASSERT_OK(f->Append("durable"));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Append(" and lost"));
    ASSERT_OK(f->Close());
  }
  ASSERT_OK(fs.SyncDir("/t"));
  // B: content synced but the directory entry never made durable.
  {
    auto f = std::move(fs.NewWritableFile("/t/b")).value();
    ASSERT_OK(f->Append("x"));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Close());
  }
  fs.DropUnsyncedData();
  EXPECT_EQ(*fs.ReadFile("/t/a"), "durable");
  EXPECT_FALSE(fs.Exists("/t/b"));
}

}  // namespace
}  // namespace strata
