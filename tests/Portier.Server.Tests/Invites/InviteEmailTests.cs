using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Portier.Server.Tests.Infrastructure;
using QRCoder;

namespace Portier.Server.Tests.Invites;

public sealed partial class InviteEmailTests
{
    [Fact]
    public async Task Issue_WithNotification_DeliversOverSmtpWithTheIssuedQrInline_AndTheCredentialsOpenTheGate()
    {
        await using var smtp = new SmtpListener();
        await using var server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite), PortierServer.WithSettings(new Dictionary<string, string?>
        {
            ["Email:Delivery"] = "Smtp",
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:SmtpSecurity"] = "None",
            ["Invites:PublicBaseUrl"] = "https://portier.example",
        }));
        var admin = server.Admin();
        var setup = await admin.SetUpInvitesAsync();
        var draft = await admin.InviteAsync(setup, issue: false, email: "visitor@example.org");
        var issued = await (await admin.PostJsonAsync($"/api/v1/invites/{draft.Reference()}/issue", new { sendNotification = true }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.True(issued.GetProperty("issued").GetProperty("emailed").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, issued.GetProperty("issued").GetProperty("pin").ValueKind);
        var qr = issued.Issued("qr");

        var message = await smtp.WaitForAsync("visitor@example.org", TimeSpan.FromSeconds(10));
        Assert.Contains(draft.Reference(), message.Subject, StringComparison.Ordinal);
        var image = message.BodyParts.OfType<MimePart>().Single(p => p.ContentId == "qr-pass");
        Assert.Equal("image/png", image.ContentType.MimeType);
        Assert.Contains("cid:qr-pass", message.HtmlBody ?? "", StringComparison.Ordinal);
        var text = message.TextBody ?? "";
        using var png = new MemoryStream();
        await image.Content!.DecodeToAsync(png, TestContext.Current.CancellationToken);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(qr, QRCodeGenerator.ECCLevel.M);
        Assert.Equal(new PngByteQRCode(data).GetGraphic(8), png.ToArray());

        var pin = PinLine().Match(text).Groups[1].Value;
        var otp = OtpLine().Match(text).Groups[1].Value;
        var link = new Uri(LinkLine().Match(text).Groups[1].Value);
        Assert.Equal("portier.example", link.Host);
        var page = await (await server.Anonymous().GetAsync(link.AbsolutePath, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(WebUtility.HtmlEncode(qr), page, StringComparison.Ordinal);
        var qrPng = await server.Anonymous().GetByteArrayAsync(link.AbsolutePath + "/qr.png", TestContext.Current.CancellationToken);
        Assert.Equal(png.ToArray(), qrPng);

        var gate = await server.GateAsync(admin);
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "qr", qr));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "pin", pin));
        Assert.Equal("granted", await gate.ReasonAsync(setup.GateA, "otp", otp));
        var credentials = (await admin.GetJsonAsync($"/api/v1/invites/{draft.Reference()}")).GetProperty("credentials");
        Assert.All(credentials.EnumerateArray().Where(c => c.GetProperty("method").GetString() is "pin" or "otp"),
            c => Assert.True(c.GetProperty("revealed").GetBoolean()));
        await (await server.Anonymous().GetAsync("/visit/not-a-real-token", TestContext.Current.CancellationToken)).ExpectProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [GeneratedRegex(@"Your PIN: (\d+)")]
    private static partial Regex PinLine();

    [GeneratedRegex(@"Your one-time code: (\d+)")]
    private static partial Regex OtpLine();

    [GeneratedRegex(@"Your visitor page: (\S+)")]
    private static partial Regex LinkLine();
}
