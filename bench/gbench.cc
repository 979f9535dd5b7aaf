// gbench.cc - registers C batch functions with Google Benchmark (manual time), makes each
// repetition's counters a robust sample (the median of its undisturbed batches), and
// forwards each finished repetition, with its counters, to a C callback.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct CaseEntry {
	gbench_case c;
	std::string name;
	// After a failure every later repetition fails at once: Google Benchmark's aggregate
	// statistics must never see a failed repetition followed by good ones.
	bool failed;
	std::string error;
};

// Registered cases live until ClearRegisteredBenchmarks.
std::vector<std::unique_ptr<CaseEntry>> entries;

double Median(std::vector<double> &v)
{
	size_t mid = v.size() / 2;

	std::nth_element(v.begin(), v.begin() + mid, v.end());
	double upper = v[mid];
	if (v.size() % 2)
		return upper;
	return (upper + *std::max_element(v.begin(), v.begin() + mid)) / 2;
}

// What one repetition gathers from its batches.
struct Sample {
	double net_ticks = 0, ops = 0, batches = 0, preempted = 0;
	std::vector<double> ticks_per_op;                              // undisturbed batches
	std::vector<double> all_ticks_per_op;                          // every batch
	std::map<std::string, std::vector<double>> medians, all_medians; // GBENCH_PER_OP_MEDIAN
	std::map<std::string, std::pair<gbench_metric_kind, double>> sums;

	void Add(const gbench_batch &b)
	{
		double ops_here = static_cast<double>(b.ops);

		net_ticks += b.net_ticks;
		ops += ops_here;
		batches += 1;
		preempted += b.disturbed;
		all_ticks_per_op.push_back(b.net_ticks / ops_here);
		if (!b.disturbed)
			ticks_per_op.push_back(b.net_ticks / ops_here);
		for (int i = 0; i < b.nr_metrics; i++) {
			const gbench_metric &m = b.metrics[i];

			if (m.kind == GBENCH_PER_OP_MEDIAN) {
				all_medians[m.name].push_back(m.value / ops_here);
				if (!b.disturbed)
					medians[m.name].push_back(m.value / ops_here);
				continue;
			}
			auto &slot = sums[m.name];
			slot.first = m.kind;
			slot.second += m.value;
		}
	}

	// The median of the undisturbed batches; of every batch when all were disturbed.
	static double RobustMedian(std::vector<double> &undisturbed, std::vector<double> &all)
	{
		return Median(undisturbed.empty() ? all : undisturbed);
	}

	void Report(benchmark::State &state, double tsc_hz)
	{
		double median = RobustMedian(ticks_per_op, all_ticks_per_op);

		state.counters[GBENCH_TICKS_PER_OP] = median;
		state.counters[GBENCH_NS_PER_OP] = median / tsc_hz * 1e9;
		state.counters[GBENCH_TICKS_PER_OP_MEAN] = net_ticks / ops;
		state.counters[GBENCH_PREEMPTED_BATCHES] = preempted;
		for (auto &m : all_medians)
			state.counters[m.first] = RobustMedian(medians[m.first], m.second);
		for (const auto &m : sums)
			state.counters[m.first] = m.second.second / (m.second.first == GBENCH_PER_OP ? ops : batches);
	}
};

double Seconds(clockid_t clock)
{
	timespec t;

	clock_gettime(clock, &t);
	return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// One repetition: each iteration is one batch; the counters are the sample's.
void RunCase(benchmark::State &state, CaseEntry *entry)
{
	const gbench_case &c = entry->c;
	Sample sample;
	gbench_batch batch;
	double wall = Seconds(CLOCK_MONOTONIC), cpu = Seconds(CLOCK_THREAD_CPUTIME_ID);

	if (c.repetition_begin)
		c.repetition_begin(c.ctx, static_cast<int64_t>(state.max_iterations));
	// A repetition fails inside the loop, never before it: Google Benchmark then reports it with
	// the iteration count of the good repetitions before it, which its aggregate statistics
	// require of every repetition of a case (its debug build aborts otherwise).
	for (auto _ : state) {
		if (entry->failed) {
			state.SkipWithError(entry->error.c_str());
			return;
		}
		batch = gbench_batch();
		if (c.batch(c.ctx, &batch)) {
			entry->failed = true;
			entry->error = batch.error[0] ? batch.error : "batch failed";
			state.SkipWithError(entry->error.c_str());
			return;
		}
		state.SetIterationTime(batch.gross_ticks / c.tsc_hz);
		if (batch.ops)
			sample.Add(batch);
	}
	if (sample.ops <= 0)
		return;
	wall = Seconds(CLOCK_MONOTONIC) - wall;
	cpu = Seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
	sample.Report(state, c.tsc_hz);
	// the share of the repetition this thread spent on a CPU (less when it was preempted or
	// waited, for a partner thread or a child process)
	state.counters[GBENCH_CPU_NS_PER_OP] = wall > 0 ? state.counters[GBENCH_NS_PER_OP] * cpu / wall : 0;
	if (c.repetition_end) {
		gbench_metric extra[GBENCH_MAX_SAMPLE_METRICS];
		int n = c.repetition_end(c.ctx, extra, GBENCH_MAX_SAMPLE_METRICS);

		for (int i = 0; i < n; i++)
			state.counters[extra[i].name] = extra[i].value;
	}
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

// Google Benchmark's JSON file, without non-finite counters: its cv aggregate of a counter
// that is 0 in every repetition (discarded_batches, say) is 0/0, which JSON cannot hold.
class FiniteJsonReporter : public benchmark::JSONReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override
	{
		std::vector<Run> finite(runs);
		for (auto &run : finite)
			for (auto it = run.counters.begin(); it != run.counters.end();)
				it = std::isfinite(it->second.value) ? std::next(it) : run.counters.erase(it);
		JSONReporter::ReportRuns(finite);
	}
};

bool WritesFile(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!std::strncmp(argv[i], "--benchmark_out=", 16))
			return true;
	return false;
}

} // namespace

extern "C" int gbench_register(const gbench_case *c)
{
	entries.push_back(std::unique_ptr<CaseEntry>(new CaseEntry{ *c, c->name, false, std::string() }));
	CaseEntry *e = entries.back().get();
	e->c.name = e->name.c_str();
	auto *b = benchmark::RegisterBenchmark(e->c.name, RunCase, e)->UseManualTime();
	if (c->iterations > 0)
		b->Iterations(c->iterations);
	return 0;
}

extern "C" int gbench_run(int argc, char **argv, gbench_report_fn report, void *report_ctx)
{
	bool json = WritesFile(argc, argv);

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return -1;
	ForwardingReporter reporter(report, report_ctx);
	FiniteJsonReporter file_reporter;
	size_t n = benchmark::RunSpecifiedBenchmarks(&reporter, json ? &file_reporter : nullptr);
	benchmark::ClearRegisteredBenchmarks();
	entries.clear();
	return static_cast<int>(n);
}
