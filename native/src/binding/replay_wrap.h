// JS classes NativeLobsterData / NativeL2Data: one borrowed copy of a file's columns, shared by every
// market that replays it, plus the whole-file checks (exact LOBSTER verification, L2 vs bookTicker).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/flow/l2_replay.h"
#include "../core/flow/lobster_replay.h"

namespace tranche::binding {

// The replay data classes of one addon instance: the main thread and every worker thread load their own, so
// an instanceof check must use the classes of the thread it runs in, never a process-wide static.
struct ReplayClasses {
  Napi::FunctionReference lobster;
  Napi::FunctionReference l2;
};
ReplayClasses& replayClasses(Napi::Env env);

class LobsterDataWrap : public Napi::ObjectWrap<LobsterDataWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit LobsterDataWrap(const Napi::CallbackInfo& info);
  std::shared_ptr<const LobsterColumns> columns() const { return cols_; }

 private:
  Napi::Value Verify(const Napi::CallbackInfo& info);
  Napi::Value Replay(const Napi::CallbackInfo& info);
  std::shared_ptr<LobsterColumns> cols_;
  Napi::ObjectReference keep_;
};

class L2DataWrap : public Napi::ObjectWrap<L2DataWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit L2DataWrap(const Napi::CallbackInfo& info);
  std::shared_ptr<const L2Columns> columns() const { return cols_; }

 private:
  Napi::Value CheckBbo(const Napi::CallbackInfo& info);
  Napi::Value Replay(const Napi::CallbackInfo& info);
  std::shared_ptr<L2Columns> cols_;
  Napi::ObjectReference keep_;
};

Napi::Object lobsterStatsObject(Napi::Env env, const LobsterReplayStats& s);
Napi::Object l2StatsObject(Napi::Env env, const L2ReplayStats& s);

}  // namespace tranche::binding
