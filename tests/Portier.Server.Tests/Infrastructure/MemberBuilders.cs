using System.Net;
using System.Text.RegularExpressions;
using MimeKit;

namespace Portier.Server.Tests.Infrastructure;

public static partial class MemberBuilders
{
    /// <summary>Creates a person with an email, asks for a sign-in code, reads it from the mail pickup folder and signs in.</summary>
    public static async Task<(Guid PersonId, HttpClient App)> SignInMemberAsync(this PortierServer server, HttpClient admin, Guid siteId,
        string personType = "Member", string status = "Current")
    {
        var email = $"{Guid.NewGuid():N}@example.org";
        var person = (await (await admin.PostJsonAsync("/api/v1/people", new { siteId, name = "App User", email, personType, membershipStatus = status }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
        await (await server.Anonymous().PostJsonAsync("/api/v1/app/sign-in", new { siteId, email })).ExpectAsync(HttpStatusCode.Accepted);
        var code = await server.ReadSignInCodeAsync(email);
        var token = (await (await server.Anonymous().PostJsonAsync("/api/v1/app/verify", new { siteId, email, code })).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("token").GetString()!;
        return (person, server.WithToken(token));
    }

    public static async Task<string> ReadSignInCodeAsync(this PortierServer server, string email)
    {
        var message = (await server.MailToAsync(email)).Last();
        return SixDigits().Match(message.TextBody ?? "").Value;
    }

    public static async Task<List<MimeMessage>> MailToAsync(this PortierServer server, string email)
    {
        var folder = Path.Combine(server.DataFolder, "mail");
        var messages = new List<MimeMessage>();
        if (!Directory.Exists(folder)) return messages;
        foreach (var file in Directory.GetFiles(folder, "*.eml").Order(StringComparer.Ordinal))
        {
            var message = await MimeMessage.LoadAsync(file, TestContext.Current.CancellationToken);
            if (message.To.Mailboxes.Any(m => m.Address == email)) messages.Add(message);
        }
        return messages;
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
