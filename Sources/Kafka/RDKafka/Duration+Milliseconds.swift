extension Duration {
    /// The duration as librdkafka's `timeout_ms`: whole milliseconds, rounded up so that a short positive timeout
    /// does not become a non-blocking call, and clamped to `0...Int32.max`.
    var kafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let wholeMilliseconds = min(seconds, Int64(Int32.max)) * 1000
        let partialMilliseconds = (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond
        return Int32(clamping: wholeMilliseconds + partialMilliseconds)
    }
}
