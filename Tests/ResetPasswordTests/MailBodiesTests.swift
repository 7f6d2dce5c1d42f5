import Testing
@testable import ResetPassword

@Suite struct MailBodiesTests {
    /// The subject line and the one blank line after it come off the template, with LF or CRLF lines.
    @Test(arguments: [
        ("Subject: Hi there\n\nHello,\nbye\n", "Hi there", "Hello,\nbye\n"),
        ("Subject: Hi there\r\n\r\nHello,\r\nbye\r\n", "Hi there", "Hello,\r\nbye\r\n"),
        ("Subject:Hi\nHello", "Hi", "Hello"),
        ("Subject: Hi", "Hi", ""),
        ("Subject: Été 🔑\n\n\nHello", "Été 🔑", "\nHello"),
    ])
    func splitsTheSubjectLine(source: String, subject: String, body: String) {
        let split = MailBodies.splitSubject(source)
        #expect(split.subject == subject)
        #expect(split.body == body)
    }

    @Test func aTemplateWithoutSubjectIsAllBody() {
        let split = MailBodies.splitSubject("Hello,\nSubject: not a header\n")
        #expect(split.subject == nil)
        #expect(split.body == "Hello,\nSubject: not a header\n")
    }
}
