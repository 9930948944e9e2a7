// std::thread, std::mutex, std::condition_variable, std::async/std::future,
// std::atomic, thread_local: deterministic results only.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <numeric>
#include <queue>
#include <shared_mutex>
#include <thread>
#include <vector>

static thread_local int tl_value = 3;

int main() {
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    {
        std::mutex m;
        long counter = 0;
        std::vector<std::thread> ts;
        for (int i = 0; i < 16; i++)
            ts.emplace_back([&] {
                for (int j = 0; j < 5000; j++) {
                    std::lock_guard<std::mutex> g(m);
                    counter++;
                }
            });
        for (auto &t : ts) t.join();
        std::printf("std::mutex: counter=%ld\n", counter);
    }
    {
        std::atomic<long> a{0};
        std::atomic<int> flag{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 8; i++)
            ts.emplace_back([&, i] {
                for (int j = 0; j < 10000; j++) a.fetch_add(i, std::memory_order_relaxed);
                int expected = 0;
                flag.compare_exchange_strong(expected, 1);
            });
        for (auto &t : ts) t.join();
        std::printf("std::atomic: sum=%ld flag=%d lock_free=%d\n", a.load(), flag.load(), (int)a.is_lock_free());
    }
    {
        std::mutex m;
        std::condition_variable cv;
        std::queue<int> q;
        bool done = false;
        std::thread producer([&] {
            for (int i = 0; i < 20000; i++) {
                std::unique_lock<std::mutex> l(m);
                cv.wait(l, [&] { return q.size() < 32; });
                q.push(i);
                cv.notify_all();
            }
            std::lock_guard<std::mutex> l(m);
            done = true;
            cv.notify_all();
        });
        long total = 0;
        int expect = 0, in_order = 1;
        for (;;) {
            std::unique_lock<std::mutex> l(m);
            cv.wait(l, [&] { return !q.empty() || done; });
            if (q.empty() && done) break;
            int v = q.front();
            q.pop();
            cv.notify_all();
            if (v != expect++) in_order = 0;
            total += v;
        }
        producer.join();
        std::printf("std::condition_variable: total=%ld in_order=%d\n", total, in_order);
        std::unique_lock<std::mutex> l(m);
        bool woke = cv.wait_for(l, std::chrono::milliseconds(30), [] { return false; });
        std::printf("wait_for timeout: %s\n", woke ? "predicate true" : "timed out");
    }
    {
        std::vector<std::future<long>> fs;
        for (long i = 1; i <= 8; i++)
            fs.push_back(std::async(std::launch::async, [i] {
                long s = 0;
                for (long k = 1; k <= i * 1000; k++) s += k;
                return s;
            }));
        long total = 0;
        for (auto &f : fs) total += f.get();
        auto deferred = std::async(std::launch::deferred, [] { return 7; });
        std::promise<int> p;
        auto pf = p.get_future();
        std::thread setter([&] { p.set_value(tl_value * 10); });
        setter.join();
        std::printf("std::async: total=%ld deferred=%d promise=%d\n", total, deferred.get(), pf.get());
        auto fut = std::async(std::launch::async, [] { throw std::runtime_error("boom"); return 0; });
        try {
            fut.get();
        } catch (const std::exception &e) {
            std::printf("exception through a future: %s\n", e.what());
        }
    }
    {
        std::vector<int> seen(6);
        std::vector<std::thread> ts;
        for (int i = 0; i < 6; i++)
            ts.emplace_back([&seen, i] {
                seen[i] = tl_value;
                tl_value = i;
                std::this_thread::yield();
                seen[i] += tl_value * 100;
            });
        for (auto &t : ts) t.join();
        std::printf("thread_local:");
        for (int v : seen) std::printf(" %d", v);
        std::printf(" main=%d\n", tl_value);
    }
    {
        std::shared_mutex sm;
        long value = 0, odd = 0;
        std::mutex om;
        std::vector<std::thread> ts;
        for (int i = 0; i < 4; i++)
            ts.emplace_back([&, i] {
                for (int j = 0; j < 2000; j++) {
                    if (j % 3 == 0) {
                        std::unique_lock<std::shared_mutex> w(sm);
                        value += 2;
                    } else {
                        std::shared_lock<std::shared_mutex> r(sm);
                        if (value % 2) { std::lock_guard<std::mutex> g(om); odd++; }
                    }
                }
            });
        for (auto &t : ts) t.join();
        std::printf("std::shared_mutex: value=%ld odd=%ld\n", value, odd);
    }
    {
        std::once_flag once;
        std::atomic<int> calls{0};
        std::vector<std::thread> ts;
        for (int i = 0; i < 8; i++) ts.emplace_back([&] { std::call_once(once, [&] { calls++; }); });
        for (auto &t : ts) t.join();
        std::printf("std::call_once: %d\n", calls.load());
    }
    std::printf("hardware_concurrency>0: %d\n", std::thread::hardware_concurrency() > 0);
    return 0;
}
