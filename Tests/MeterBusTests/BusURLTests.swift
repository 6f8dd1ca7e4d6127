import Testing
@testable import MeterBus

@Suite("Bus URL parser")
struct BusURLTests {
    @Test("tcp with and without port")
    func tcp() throws {
        #expect(try BusURL.parse("tcp://10.0.0.5:1502").link == .tcp(host: "10.0.0.5", port: 1502))
        #expect(try BusURL.parse("tcp://meter.local").link == .tcp(host: "meter.local", port: 502))
        #expect(try BusURL.parse("tcp://[::1]:5020").link == .tcp(host: "::1", port: 5020))
        let tuned = try BusURL.parse("tcp://h:502?timeout=250&retries=3&gap=20")
        #expect(tuned.responseTimeout == .milliseconds(250))
        #expect(tuned.retries == 3)
        #expect(tuned.interRequestGap == .milliseconds(20))
    }

    @Test("rtu with serial settings")
    func rtu() throws {
        let config = try BusURL.parse("rtu:///dev/ttyUSB0?baud=19200&parity=e&data=8&stop=2&rs485=true")
        #expect(config.link == .rtu(SerialSettings(device: "/dev/ttyUSB0", baud: 19200, parity: .even, dataBits: 8, stopBits: 2, rs485: true)))
        #expect(try BusURL.parse("rtu:///dev/ttyAMA0").link == .rtu(SerialSettings(device: "/dev/ttyAMA0")))
    }

    @Test("bad URLs give a clear reason", arguments: [
        ("10.0.0.5:502", "missing scheme"),
        ("udp://x", "unknown scheme 'udp'"),
        ("tcp://", "needs a host"),
        ("tcp://h:0", "port '0'"),
        ("tcp://h:abc", "port 'abc'"),
        ("rtu://dev/ttyUSB0", "absolute device path"),
        ("rtu:///dev/ttyUSB0?baud=fast", "baud=fast"),
        ("rtu:///dev/ttyUSB0?parity=X", "parity=X must be N, E or O"),
        ("rtu:///dev/ttyUSB0?stop=3", "stop=3"),
        ("rtu:///dev/ttyUSB0?speed=9600", "unknown option 'speed'"),
        ("rtu:///dev/ttyUSB0?baud", "key=value"),
    ])
    func errors(url: String, fragment: String) {
        do {
            _ = try BusURL.parse(url)
            Issue.record("expected \(url) to fail")
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.url == url)
        }
    }
}
