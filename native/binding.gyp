{
  "targets": [
    {
      "target_name": "tranche",
      "sources": [
        "src/core/book.cc",
        "src/core/op_stream.cc",
        "src/core/market.cc",
        "src/core/batch.cc",
        "src/core/features.cc",
        "src/core/execution_task.cc",
        "src/core/flow/poisson_flow.cc",
        "src/core/flow/lobster_replay.cc",
        "src/core/flow/l2_replay.cc",
        "src/core/study/flow_sim.cc",
        "src/core/learn/actor_critic.cc",
        "src/binding/addon.cc",
        "src/binding/book_wrap.cc",
        "src/binding/batch_wrap.cc",
        "src/binding/execution_wrap.cc",
        "src/binding/replay_wrap.cc",
        "src/binding/flow_sim_wrap.cc",
        "src/binding/learner_wrap.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2", "-O3", "-fno-omit-frame-pointer"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20", "-O2"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-flto", "-fvisibility=hidden", "-fno-semantic-interposition", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      "ldflags": ["-flto", "-flto-partition=one", "-O3"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CFLAGS": ["-O3", "-ffp-contract=off", "-Wall", "-Wextra"]
      }
    }
  ]
}
