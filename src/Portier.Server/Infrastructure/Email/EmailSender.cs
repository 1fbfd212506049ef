using Portier.Core.Model;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Infrastructure.Email;

public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content, string? ContentId = null);

public sealed record EmailMessage(string To, string Subject, string TextBody, string? HtmlBody = null, IReadOnlyList<EmailAttachment>? Attachments = null);

/// <summary>Sends mail through SMTP, or drops it into the pickup folder.</summary>
public sealed class EmailSender(IOptions<EmailOptions> options, IOptions<DatabaseOptions> database)
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        var settings = options.Value;
        var mime = Build(message, settings.From);
        if (settings.Delivery == EmailDelivery.Pickup)
        {
            var folder = Path.Combine(database.Value.DataFolder, settings.PickupFolder);
            Directory.CreateDirectory(folder);
            await mime.WriteToAsync(Path.Combine(folder, $"{SequentialIds.Next():N}.eml"), ct);
            return;
        }
        using var client = new SmtpClient();
        await client.ConnectAsync(settings.SmtpHost ?? throw new InvalidOperationException("Email:SmtpHost is required for SMTP delivery."), settings.SmtpPort, settings.SmtpSecurity, ct);
        if (!string.IsNullOrEmpty(settings.SmtpUsername))
            await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword ?? "", ct);
        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(true, ct);
    }

    private static MimeMessage Build(EmailMessage message, string from)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        foreach (var attachment in message.Attachments ?? [])
        {
            var part = attachment.ContentId is null
                ? body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType))
                : body.LinkedResources.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
            if (attachment.ContentId is not null) part.ContentId = attachment.ContentId;
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }
}

public static class EmailExtensions
{
    public static IServiceCollection AddPortierEmail(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EmailSender>();
        return services;
    }
}
