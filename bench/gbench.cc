// gbench.cc - registers C batch functions with Google Benchmark (manual time) and
// forwards each finished repetition, with its per-op counters, to a C callback.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct CaseEntry {
	gbench_batch_fn fn;
	void *ctx;
	double tsc_hz;
	// After a failure every later repetition fails at once: Google Benchmark's aggregate
	// statistics must never see a failed repetition followed by good ones.
	bool failed;
	std::string error;
};

// Registered cases live until ClearRegisteredBenchmarks.
std::vector<std::unique_ptr<CaseEntry>> entries;

double Seconds(clockid_t clock)
{
	timespec t;

	clock_gettime(clock, &t);
	return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// One repetition: each iteration is one batch; counters are per op over the whole repetition.
void RunCase(benchmark::State &state, CaseEntry *entry)
{
	double ticks = 0, ops = 0, batches = 0;
	std::map<std::string, std::pair<gbench_metric_kind, double>> sums;
	gbench_batch batch;
	double wall = Seconds(CLOCK_MONOTONIC), cpu = Seconds(CLOCK_THREAD_CPUTIME_ID);

	// A repetition fails inside the loop, never before it: Google Benchmark then reports it with
	// the iteration count of the good repetitions before it, which its aggregate statistics
	// require of every repetition of a case (its debug build aborts otherwise).
	for (auto _ : state) {
		if (entry->failed) {
			state.SkipWithError(entry->error.c_str());
			return;
		}
		batch = gbench_batch();
		if (entry->fn(entry->ctx, &batch)) {
			entry->failed = true;
			entry->error = batch.error[0] ? batch.error : "batch failed";
			state.SkipWithError(entry->error.c_str());
			return;
		}
		state.SetIterationTime(batch.gross_ticks / entry->tsc_hz);
		ticks += batch.net_ticks;
		ops += static_cast<double>(batch.ops);
		batches += 1;
		for (int i = 0; i < batch.nr_metrics; i++) {
			auto &slot = sums[batch.metrics[i].name];
			slot.first = batch.metrics[i].kind;
			slot.second += batch.metrics[i].value;
		}
	}
	if (ops <= 0)
		return;
	wall = Seconds(CLOCK_MONOTONIC) - wall;
	cpu = Seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
	state.counters["ticks_per_op"] = ticks / ops;
	state.counters["ns_per_op"] = ticks / ops / entry->tsc_hz * 1e9;
	// the share of the repetition this thread spent on a CPU (less when it was preempted or
	// waited, for a partner thread or a child process)
	state.counters["cpu_ns_per_op"] = wall > 0 ? state.counters["ns_per_op"] * cpu / wall : 0;
	for (const auto &m : sums)
		state.counters[m.first] = m.second.second / (m.second.first == GBENCH_PER_OP ? ops : batches);
}

// Forwards iteration runs (the repetitions) to C and prints nothing: the caller prints its own table.
class ForwardingReporter : public benchmark::BenchmarkReporter {
public:
	ForwardingReporter(gbench_report_fn fn, void *ctx) : fn_(fn), ctx_(ctx) {}

	bool ReportContext(const Context &) override { return true; }

	void ReportRuns(const std::vector<Run> &runs) override
	{
		size_t last = runs.size();
		for (size_t i = 0; i < runs.size(); i++)
			if (runs[i].run_type == Run::RT_Iteration)
				last = i;
		for (size_t i = 0; i < runs.size(); i++) {
			const Run &run = runs[i];
			if (run.run_type != Run::RT_Iteration)
				continue;
			std::vector<const char *> names;
			std::vector<double> values;
			for (const auto &c : run.counters) {
				names.push_back(c.first.c_str());
				values.push_back(c.second.value);
			}
			gbench_repetition rep = {};
			rep.name = run.run_name.function_name.c_str();
			rep.index = run.repetition_index < 0 ? 0 : run.repetition_index;
			rep.batches = static_cast<int64_t>(run.iterations);
			rep.last = i == last;
			rep.error = run.error_occurred;
			rep.error_message = run.error_message.c_str();
			rep.nr_counters = static_cast<int>(names.size());
			rep.counter_names = names.data();
			rep.counter_values = values.data();
			fn_(ctx_, &rep);
		}
	}

private:
	gbench_report_fn fn_;
	void *ctx_;
};

} // namespace

extern "C" int gbench_register(const char *name, gbench_batch_fn fn, void *ctx, double tsc_hz,
			       int64_t iterations)
{
	entries.push_back(std::unique_ptr<CaseEntry>(new CaseEntry{ fn, ctx, tsc_hz, false, std::string() }));
	auto *b = benchmark::RegisterBenchmark(name, RunCase, entries.back().get())->UseManualTime();
	if (iterations > 0)
		b->Iterations(iterations);
	return 0;
}

extern "C" int gbench_run(int argc, char **argv, gbench_report_fn report, void *report_ctx)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return -1;
	ForwardingReporter reporter(report, report_ctx);
	size_t n = benchmark::RunSpecifiedBenchmarks(&reporter);
	benchmark::ClearRegisteredBenchmarks();
	entries.clear();
	return static_cast<int>(n);
}
