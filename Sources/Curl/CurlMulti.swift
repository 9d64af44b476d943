internal import CCurl
internal import CCurlShims
import Foundation
import Synchronization

/// Owns a `CURLM*` multi handle and the one thread that drives it with `curl_multi_poll`.
///
/// Transfers are submitted through a locked queue and the thread is woken with `curl_multi_wakeup`; everything
/// else (the multi handle, the table of active transfers, libcurl's callbacks) lives on that thread alone.
/// `@unchecked Sendable`: `multi` and `active` are touched only by the owned thread (and by `deinit`, after it
/// ended); `queue` is behind a `Mutex`.
final class CurlMulti: @unchecked Sendable {
    private struct Queue {
        var adds: [CurlEasyHandle] = []
        var cancels: [UInt64] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let queue = Mutex(Queue())
    /// Keeps each transfer alive while libcurl may call back into it; keyed by its easy handle.
    private var active: [UnsafeMutableRawPointer: CurlEasyHandle] = [:]
    private let stopped = Mutex<(CheckedContinuation<Void, Never>?, Bool)>((nil, false))

    init(maxConnectionsPerHost: Int, name: String) {
        CurlMulti.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, ccurl_pipe_multiplex())
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    deinit {
        // The thread holds `self` until it has removed every handle, so no transfer is left at this point.
        curl_multi_cleanup(self.multi)
    }

    /// `curl_global_init` is not thread-safe: once per process, before the first multi handle.
    private static let globalInit: Void = {
        let code = ccurl_global_init_all()
        precondition(code == CURLE_OK, "curl_global_init failed: \(code.rawValue)")
    }()

    /// Hands a transfer to the thread; its completion is called exactly once.
    func submit(_ transfer: CurlEasyHandle) {
        let stopping = self.queue.withLock { queue in
            if !queue.stopping { queue.adds.append(transfer) }
            return queue.stopping
        }
        if stopping {
            transfer.finish(CurlError(code: .shutdown, message: "the HTTP client was shut down"))
        } else {
            curl_multi_wakeup(self.multi)
        }
    }

    /// Abandons a transfer; its completion is called with ``CurlError/Code/cancelled`` unless it already finished.
    func cancel(id: UInt64) {
        let queued = self.queue.withLock { queue -> CurlEasyHandle? in
            if let index = queue.adds.firstIndex(where: { $0.id == id }) {
                return queue.adds.remove(at: index)
            }
            queue.cancels.append(id)
            return nil
        }
        if let queued {
            queued.finish(CurlError(code: .cancelled, message: "the request was cancelled"))
        } else {
            curl_multi_wakeup(self.multi)
        }
    }

    /// Fails every transfer with ``CurlError/Code/shutdown`` and ends the thread; returns when it has ended.
    func shutdown() async {
        self.queue.withLock { $0.stopping = true }
        curl_multi_wakeup(self.multi)
        await withCheckedContinuation { continuation in
            let done = self.stopped.withLock { state in
                if state.1 { return true }
                state.0 = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Asks the thread to end without waiting for it.
    func stop() {
        self.queue.withLock { $0.stopping = true }
        curl_multi_wakeup(self.multi)
    }

    private func run() {
        while true {
            let (adds, cancels, stopping) = self.queue.withLock { queue in
                defer { queue.adds = []; queue.cancels = [] }
                return (queue.adds, queue.cancels, queue.stopping)
            }
            for transfer in adds {
                let code = curl_multi_add_handle(self.multi, transfer.handle)
                if code == CURLM_OK {
                    self.active[transfer.handle] = transfer
                } else {
                    transfer.finish(CurlError(
                        code: .invalidRequest, curlCode: Int(code.rawValue),
                        message: String(cString: curl_multi_strerror(code))))
                }
            }
            for id in cancels {
                if let transfer = self.active.values.first(where: { $0.id == id }) {
                    self.remove(transfer, CurlError(code: .cancelled, message: "the request was cancelled"))
                }
            }
            if stopping {
                for transfer in Array(self.active.values) {
                    self.remove(transfer, CurlError(code: .shutdown, message: "the HTTP client was shut down"))
                }
                break
            }

            var running: Int32 = 0
            curl_multi_perform(self.multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(self.multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = self.active.removeValue(forKey: easy)
                else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(self.multi, easy)
                transfer.finish(result)
            }
            // Sleeps until a socket is ready, a timeout of libcurl's is due, or `curl_multi_wakeup`.
            curl_multi_poll(self.multi, nil, 0, 1000, nil)
        }
        let waiter = self.stopped.withLock { state in
            state.1 = true
            return state.0
        }
        waiter?.resume()
        // Fail anything submitted while stopping.
        for transfer in self.queue.withLock({ queue in defer { queue.adds = [] }; return queue.adds }) {
            transfer.finish(CurlError(code: .shutdown, message: "the HTTP client was shut down"))
        }
    }

    private func remove(_ transfer: CurlEasyHandle, _ error: CurlError) {
        self.active.removeValue(forKey: transfer.handle)
        curl_multi_remove_handle(self.multi, transfer.handle)
        transfer.finish(error)
    }
}
