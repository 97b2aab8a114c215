#include "tests/sim/scenario.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stack/base/random.h"

namespace tcpaas::sim {
namespace {

// Log-uniform in [lo, hi]: small and large values equally likely per octave.
size_t LogUniform(Rng& rng, size_t lo, size_t hi) {
  const double a = std::log(static_cast<double>(lo));
  const double b = std::log(static_cast<double>(hi));
  return static_cast<size_t>(std::exp(a + (b - a) * rng.UniformDouble()));
}

link::FaultSpec DrawFaults(Rng& rng, bool corrupt) {
  link::FaultSpec f;
  f.drop = rng.UniformDouble() * 0.10;
  f.duplicate = rng.Bernoulli(0.5) ? rng.UniformDouble() * 0.02 : 0;
  f.reorder = rng.Bernoulli(0.5) ? rng.UniformDouble() * 0.05 : 0;
  f.corrupt = corrupt ? 0.001 : 0;
  f.delay = Duration::Micros(100 + static_cast<int64_t>(rng.Uniform(20'000)));
  f.jitter = rng.Bernoulli(0.5) ? Duration::Micros(static_cast<int64_t>(rng.Uniform(5'000)))
                                : Duration::Zero();
  return f;
}

AppBehavior DrawApp(Rng& rng) {
  AppBehavior app;
  app.bytes_to_send = rng.Bernoulli(0.1) ? 0 : LogUniform(rng, 1, 512 * 1024);
  app.max_write = LogUniform(rng, 1, 64 * 1024);
  app.max_read = LogUniform(rng, 1, 64 * 1024);
  app.read_pause = rng.Bernoulli(0.2) ? Duration::Millis(1 + rng.Uniform(200)) : Duration::Zero();
  app.shutdown_early = rng.Bernoulli(0.5);
  app.options.send_buffer_bytes = LogUniform(rng, 4 * 1024, 1024 * 1024);
  app.options.recv_buffer_bytes = LogUniform(rng, 4 * 1024, 1024 * 1024);
  app.options.no_delay = rng.Bernoulli(0.5);
  app.options.sack = rng.Bernoulli(0.8);
  app.options.timestamps = rng.Bernoulli(0.8);
  app.options.window_scale = rng.Bernoulli(0.8);
  return app;
}

std::string AppToString(const AppBehavior& a) {
  return absl::StrFormat(
      "send=%u write<=%u read<=%u read_pause=%s early_fin=%d sndbuf=%u rcvbuf=%u nodelay=%d "
      "sack=%d ts=%d ws=%d",
      a.bytes_to_send, a.max_write, a.max_read, a.read_pause.ToString(), a.shutdown_early,
      a.options.send_buffer_bytes, a.options.recv_buffer_bytes, a.options.no_delay, a.options.sack,
      a.options.timestamps, a.options.window_scale);
}

}  // namespace

Scenario DrawScenario(uint64_t seed) {
  Rng rng(seed, /*stream=*/0x5ce7a210);
  Scenario s;
  s.seed = seed;
  static constexpr size_t kMtus[] = {576, 1280, 1500, 1500, 1500, 9000};
  s.mtu = kMtus[rng.Uniform(std::size(kMtus))];
  const bool corrupt = rng.Bernoulli(0.25);
  s.faults_a_to_b = DrawFaults(rng, corrupt);
  s.faults_b_to_a = DrawFaults(rng, corrupt);
  s.client = DrawApp(rng);
  s.server = DrawApp(rng);
  return s;
}

std::string Scenario::ToString() const {
  return absl::StrCat("seed=", seed, " mtu=", mtu, "\n  a->b: ", faults_a_to_b.ToString(),
                      "\n  b->a: ", faults_b_to_a.ToString(), "\n  client: ", AppToString(client),
                      "\n  server: ", AppToString(server));
}

}  // namespace tcpaas::sim
