#include <redstream/net/client.hpp>

#include <future>
#include <thread>

#include <asio/io_context.hpp>

#include <redstream/core/error.hpp>

#include "client_impl.hpp"

namespace redstream::net {

Client::Client(asio::any_io_executor ex, ConnectionConfig config)
    : impl_(std::make_shared<detail::ClientImpl>(std::move(ex), std::move(config))) {}

Client::~Client() {
    impl_->close();
}

asio::any_io_executor Client::get_executor() const noexcept {
    return impl_->executor();
}
const ConnectionConfig& Client::config() const noexcept {
    return impl_->config();
}

void Client::start_connect(detail::Completion done, asio::cancellation_slot slot) {
    impl_->connect(std::move(done), slot);
}

void Client::start_exec(const resp::Request& req, Response& resp, ExecOptions opts,
                        detail::Completion done, asio::cancellation_slot slot) {
    impl_->exec(req, &resp, opts, std::move(done), slot);
}

void Client::start_exec(std::shared_ptr<const resp::Request> req, ReplySink sink, ExecOptions opts,
                        detail::Completion done, asio::cancellation_slot slot) {
    const resp::Request& r = *req;
    impl_->exec(r, nullptr, opts, std::move(done), slot, std::move(req), sink);
}

asio::strand<asio::any_io_executor> Client::strand() const {
    return impl_->strand();
}

void Client::set_push_handler(std::function<void(resp::Reply)> handler) {
    impl_->set_push_handler(std::move(handler));
}

void Client::close() {
    impl_->close();
}
bool Client::connected() const noexcept {
    return impl_->connected();
}
ClientStats Client::stats() const noexcept {
    return impl_->stats();
}
std::string Client::endpoint() const {
    return impl_->configured_peers();
}
int Client::protocol() const noexcept {
    return impl_->protocol();
}
std::string Client::last_error() const {
    return impl_->last_error();
}

// --- SyncClient ------------------------------------------------------------

struct SyncClient::State {
    explicit State(ConnectionConfig config)
        : work(asio::make_work_guard(io)),
          client(io.get_executor(), std::move(config)),
          thread([this] { io.run(); }) {}
    ~State() {
        client.close();
        work.reset();
        thread.join();
    }

    // Waits for an async operation started on the I/O thread.
    template <class Start>
    std::error_code wait(Start&& start) {
        std::promise<std::error_code> done;
        auto result = done.get_future();
        start([&done](std::error_code ec) { done.set_value(ec); });
        return result.get();
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    Client client;
    std::thread thread;
};

SyncClient::SyncClient(ConnectionConfig config)
    : state_(std::make_unique<State>(std::move(config))) {}
SyncClient::~SyncClient() = default;

void SyncClient::connect(std::error_code& ec) {
    ec = state_->wait([this](auto h) { state_->client.async_connect(std::move(h)); });
}

void SyncClient::connect() {
    std::error_code ec;
    connect(ec);
    throw_if(ec, state_->client.last_error());
}

Response SyncClient::exec(const resp::Request& req, std::error_code& ec, ExecOptions opts) {
    Response resp;
    ec = state_->wait([&](auto h) { state_->client.async_exec(req, resp, opts, std::move(h)); });
    return resp;
}

Response SyncClient::exec(const resp::Request& req, ExecOptions opts) {
    std::error_code ec;
    auto resp = exec(req, ec, opts);
    throw_if(ec);
    return resp;
}

void SyncClient::close() {
    state_->client.close();
}
Client& SyncClient::async_client() noexcept {
    return state_->client;
}

}  // namespace redstream::net
