#include "support/fault_proxy.hpp"

#include <sys/eventfd.h>

#include <exception>
#include <stdexcept>

#include "support/fault_proxy_loop.hpp"

namespace redstream::test {
namespace {

// The loop never blocks but in poll(), which a control call interrupts, so
// this is only reached if the proxy thread is broken.
constexpr std::chrono::seconds control_timeout{10};

}  // namespace

FaultProxy::FaultProxy(std::uint16_t target_port)
    : loop_(std::make_unique<detail::ProxyLoop>(target_port)),
      port_(loop_->port()),
      wake_fd_(loop_->wake_fd()),
      commands_(std::make_unique<detail::ProxyCommands>()) {
    thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
    {
        const std::lock_guard lock(mutex_);
        commands_->stop = true;
    }
    ::eventfd_write(wake_fd_, 1);
    thread_.join();
}  // loop_ closes every socket

std::string FaultProxy::url(std::string_view scheme) const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
}

void FaultProxy::run() noexcept {
    try {
        for (;;) {
            detail::ProxyCommands taken;
            {
                const std::lock_guard lock(mutex_);
                if (commands_->stop) return;
                taken = *commands_;
                commands_->injections = {};
                commands_->reset = false;
            }
            loop_->apply(taken);
            {
                const std::lock_guard lock(mutex_);
                commands_->applied = taken.requested;
                loop_->publish(stats_);
            }
            changed_.notify_all();
            loop_->poll_once();
        }
    } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        failure_ = e.what();
    }
    changed_.notify_all();
}

void FaultProxy::control(const std::function<void(detail::ProxyCommands&)>& change) {
    std::unique_lock lock(mutex_);
    change(*commands_);
    await_round(lock);
}

// Returns once the thread has published its state after this call: what it
// did before (a write a client has already seen, say) is in stats_ then.
void FaultProxy::await_round(std::unique_lock<std::mutex>& lock) const {
    const auto ticket = ++commands_->requested;
    ::eventfd_write(wake_fd_, 1);
    const bool applied = changed_.wait_for(
        lock, control_timeout, [&] { return commands_->applied >= ticket || !failure_.empty(); });
    if (!failure_.empty()) throw std::runtime_error("FaultProxy thread failed: " + failure_);
    if (!applied) throw std::runtime_error("FaultProxy thread did not answer");
}

void FaultProxy::set_mode(Direction d, ProxyMode mode) {
    control([&](detail::ProxyCommands& c) { c.modes[static_cast<std::size_t>(d)] = mode; });
}

void FaultProxy::set_mode(ProxyMode mode) {
    control([&](detail::ProxyCommands& c) { c.modes = {mode, mode}; });
}

void FaultProxy::inject(Direction d, std::string bytes) {
    control(
        [&](detail::ProxyCommands& c) { c.injections[static_cast<std::size_t>(d)].append(bytes); });
}

void FaultProxy::reset() {
    control([](detail::ProxyCommands& c) { c.reset = true; });
}

void FaultProxy::set_blackhole(bool on) {
    control([on](detail::ProxyCommands& c) { c.blackhole = on; });
}

ProxyStats FaultProxy::stats() const {
    std::unique_lock lock(mutex_);
    await_round(lock);
    return stats_;
}

bool FaultProxy::wait_until(const std::function<bool(const ProxyStats&)>& pred,
                            std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(stats_); });
}

bool FaultProxy::wait_client_closed(std::uint64_t n, std::chrono::milliseconds timeout) const {
    return wait_until([n](const ProxyStats& s) { return s.closed_by_client >= n; }, timeout);
}

}  // namespace redstream::test
