import AutonomicsWorker
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time and memory of this process, read from the kernel.
enum ProcessUsage {
    /// User + system CPU time of all threads so far.
    static func cpuTime() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func duration(_ time: timeval) -> Duration {
            .seconds(time.tv_sec) + .microseconds(time.tv_usec)
        }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }

    /// The peak resident set size in bytes since start, or since the last `resetPeakResidentSize()`.
    static func peakResidentSize() -> Int? {
        statusField("VmHWM:", process: "self")
    }

    /// Another process's peak resident set size in bytes.
    static func peakResidentSize(ofProcess pid: Int32) -> Int? {
        statusField("VmHWM:", process: String(pid))
    }

    /// Starts a new peak measurement (Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS).
    static func resetPeakResidentSize() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private static func statusField(_ name: String, process: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kilobytes = Int(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).dropLast(3))
        else { return nil }
        return kilobytes * 1024
    }
}
