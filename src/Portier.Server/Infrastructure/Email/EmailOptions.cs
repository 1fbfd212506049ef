using System.ComponentModel.DataAnnotations;

namespace Portier.Server.Infrastructure.Email;

public enum EmailDelivery { Pickup, Smtp }

/// <summary>
/// Pickup (the default) writes each message as an .eml file into a folder, so nothing needs a
/// mail server in development; Smtp sends through a real server.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public EmailDelivery Delivery { get; set; } = EmailDelivery.Pickup;

    /// <summary>Relative paths are under the database's data folder.</summary>
    public string PickupFolder { get; set; } = "mail";

    [Required]
    public string From { get; set; } = "Portier <portier@localhost>";

    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    public string? SmtpUsername { get; set; }

    public string? SmtpPassword { get; set; }

    /// <summary>Auto: STARTTLS when the server offers it. None for local relays and test listeners.</summary>
    public MailKit.Security.SecureSocketOptions SmtpSecurity { get; set; } = MailKit.Security.SecureSocketOptions.Auto;
}
