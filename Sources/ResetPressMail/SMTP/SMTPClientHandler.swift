import NIOCore
import NIOSSL

/// The last handler of an SMTP client pipeline: splits the server's bytes into replies and hands each one to the
/// oldest waiting request, failing requests that get no reply in time.
///
/// Every method runs on the channel's event loop. A reply that arrives while nobody waits (the greeting before
/// it is asked for) is kept for the next request. A timeout, a protocol error or a TLS error closes the channel,
/// since the session can no longer be trusted to be in step; once closed, every request fails at once with the
/// reason.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private struct Waiter {
        let promise: EventLoopPromise<SMTPReply>
        let timer: Scheduled<Void>
    }

    private var waiters = CircularBuffer<Waiter>()
    private var unclaimed = CircularBuffer<SMTPReply>()
    private var parser = SMTPReplyParser()
    private var buffer = ByteBuffer()
    private var context: ChannelHandlerContext?
    private var closedBecause: SMTPFailure?

    /// Whether bytes that are not yet a whole reply have arrived (which must not happen right after `STARTTLS`).
    var hasBufferedInput: Bool {
        buffer.readableBytes > 0 || parser.isInsideReply || !unclaimed.isEmpty
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Completes `promise` with the next reply, or fails it after `timeout` (reported as no answer to `step`).
    func expectReply(_ promise: EventLoopPromise<SMTPReply>, step: String, timeout: TimeAmount) {
        if let reply = unclaimed.popFirst() {
            promise.succeed(reply)
            return
        }
        guard let context, closedBecause == nil else {
            promise.fail(closedBecause ?? .connection("the connection is closed"))
            return
        }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(.timeout(step: step))
        }
        waiters.append(Waiter(promise: promise, timer: timer))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            try drainLines()
        } catch {
            fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connection("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let failure as SMTPFailure: fail(failure)
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError: fail(.tls(String(describing: error)))
        default: fail(.connection(String(describing: error)))
        }
    }

    private func drainLines() throws(SMTPFailure) {
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            if let reply = try parser.consume(line[...].utf8) { deliver(reply) }
        }
        guard buffer.readableBytes <= SMTPReplyParser.maxLineLength else {
            throw .protocolViolation("the server sent a line longer than \(SMTPReplyParser.maxLineLength) bytes")
        }
        buffer.discardReadBytes()
    }

    private func deliver(_ reply: SMTPReply) {
        guard let waiter = waiters.popFirst() else {
            unclaimed.append(reply)
            return
        }
        waiter.timer.cancel()
        waiter.promise.succeed(reply)
    }

    /// Fails every waiter with `failure`, remembers it for later requests, and closes the channel.
    private func fail(_ failure: SMTPFailure) {
        if closedBecause == nil { closedBecause = failure }
        let reason = closedBecause ?? failure
        while let waiter = waiters.popFirst() {
            waiter.timer.cancel()
            waiter.promise.fail(reason)
        }
        context?.close(promise: nil)
    }
}
