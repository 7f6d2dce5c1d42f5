import Testing
@testable import ResetPressMail

@Suite struct HTMLToTextTests {
    @Test(arguments: [
        ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
        ("Line one<br>Line two<br/>Line three<BR />", "Line one\nLine two\nLine three"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("<h1>Title</h1>Text", "Title\n\nText"),
        ("  lots   of \n\n  space\t here  ", "lots of space here"),
        ("<p>a</p>\n\n\n<p></p><p></p><br><br><br><p>b</p>", "a\n\nb"),
        ("<script>var x = '<p>no</p>';</script>yes", "yes"),
        ("<STYLE type=\"text/css\">p {}</STYLE>shown", "shown"),
        ("<head><title>Hidden</title></head><body>Body</body>", "Body"),
        ("<!-- a comment <p>x</p> -->after", "after"),
        ("<!DOCTYPE html><html>ok</html>", "ok"),
        ("&amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; a&nbsp;b", "& <tag> \"q\" 's' a b"),
        ("&#233;&#xE9;&#X1F511; &eacute; &copy; &bogus; & alone &amp", "éé🔑 é © &bogus; & alone &amp"),
        ("&#0; &#xD800; &#99999999;", "\u{FFFD} \u{FFFD} \u{FFFD}"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("<a href=\"https://x.example/r?a=1&amp;b=2\">Reset</a>", "Reset (https://x.example/r?a=1&b=2)"),
        ("<a href='https://x.example'>https://x.example</a>", "https://x.example"),
        ("<a href=mailto:help@x.example>help@x.example</a>", "help@x.example"),
        ("<a href=\"https://x.example\"></a>", "https://x.example"),
        ("<a href=\"#top\">Top</a> <a href=\"javascript:void(0)\">JS</a>", "Top JS"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<ol><li>one<li>two</ol>after", "1. one\n2. two\n\nafter"),
        ("<pre>  keep\n    indent</pre>", "  keep\n    indent"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<img src=x.png alt=\"Logo\"> Shop", "Logo Shop"),
        ("a < b and c > d", "a < b and c > d"),
        ("unclosed <b", "unclosed <b"),
        ("<script>never closed", ""),
        ("", ""),
    ] as [(String, String)])
    func converts(html: String, text: String) {
        #expect(HTMLToText.convert(html) == text)
    }

    @Test func realisticResetEmail() {
        let html = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Password reset</title>
        <style>.btn { background: #333; }</style></head>
        <body>
          <table role="presentation"><tr><td>
            <h2>Hi Renée,</h2>
            <p>Someone asked to reset the password for <strong>alice</strong> on
               <a href="https://example.com">Example&nbsp;Site</a>.</p>
            <p>Your code: <b>482913</b></p>
            <p><a class="btn" href="https://example.com/_resetpassword?code=Zm9v&amp;x=1">Reset password</a></p>
            <p>If this wasn&#39;t you, ignore this email.</p>
          </td></tr></table>
        </body></html>
        """
        #expect(HTMLToText.convert(html) == """
        Hi Renée,

        Someone asked to reset the password for alice on Example Site (https://example.com).

        Your code: 482913

        Reset password (https://example.com/_resetpassword?code=Zm9v&x=1)

        If this wasn't you, ignore this email.
        """)
    }
}
