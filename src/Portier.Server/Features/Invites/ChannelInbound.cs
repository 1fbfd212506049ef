using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using NodaTime;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Outbound;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Secrets;

namespace Portier.Server.Features.Invites;

public sealed class ChannelInboundOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>Base64 of at least 32 random bytes; when unset, the file <c>channel-inbound.key</c> in the data folder.</summary>
    public string? ChannelInboundKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ChannelInboundKey is not null && KeyFile.Decode(ChannelInboundKey) is null)
            yield return new ValidationResult($"Secrets:ChannelInboundKey must be base64 of at least {KeyFile.KeyBytes} bytes.", [nameof(ChannelInboundKey)]);
    }
}

/// <summary>A message id a channel's gate has used, kept while a replay of it could still pass the timestamp window.</summary>
public sealed class ChannelInboundMessage
{
    public Guid ChannelId { get; init; }
    public required string MessageId { get; init; }
    public Instant ReceivedAt { get; init; }
}

internal sealed class ChannelInboundMessageConfiguration : IEntityTypeConfiguration<ChannelInboundMessage>
{
    public void Configure(EntityTypeBuilder<ChannelInboundMessage> b)
    {
        b.ToTable("channel_inbound_messages");
        b.HasKey(m => new { m.ChannelId, m.MessageId });
        b.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
        b.Property(m => m.MessageId).HasMaxLength(StandardWebhooks.MaxIdLength);
        b.HasIndex(m => m.ReceivedAt);
    }
}

/// <summary>Why an inbound call was refused before anything in it was trusted.</summary>
public enum InboundRefusal { None, BadSignature, OutsideWindow, Replayed }

/// <summary>
/// Signed inbound validation: a channel's gates sign each call the Standard Webhooks way with the
/// channel's inbound secret. The secret is never stored: it is derived from a server key kept
/// outside the database and the key id the channel row holds (replaced on rotation), so a stolen
/// database cannot forge calls. A call must be within <see cref="Window"/> of the server's clock
/// and its <c>webhook-id</c> is accepted once; ids are remembered in the database (every node and
/// a restart see them) for twice the window, after which the timestamp check alone refuses a replay.
/// </summary>
public sealed class ChannelInboundSigning(IOptions<ChannelInboundOptions> options, IOptions<DatabaseOptions> database, TimeProvider clock) : ISharedKey
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const string KeyFileName = "channel-inbound.key";
    private const string KeySetting = "Secrets:ChannelInboundKey";

    private readonly Lazy<byte[]> _master = new(() =>
        KeyFile.Load(options.Value.ChannelInboundKey, KeySetting, database.Value.DataFolder, KeyFileName));

    public string Setting => KeySetting;

    public string FileName => KeyFileName;

    public string Fingerprint() => KeyFile.Fingerprint(_master.Value);

    public static string NewKeyId() => "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The channel's inbound secret for the key id: shown once, when the key id is made.</summary>
    public string Secret(Guid channelId, string keyId) =>
        StandardWebhooks.SecretPrefix + Convert.ToBase64String(HMACSHA256.HashData(_master.Value, Encoding.UTF8.GetBytes($"channel-inbound:{channelId:D}:{keyId}")));

    /// <summary>Checks the signature and the timestamp, then records the message id; a second use of an id is refused.</summary>
    public async Task<InboundRefusal> CheckAsync(PortierDbContext db, Channel channel, IHeaderDictionary headers, byte[] body, CancellationToken ct)
    {
        if (channel.InboundKeyId is null) return InboundRefusal.BadSignature;
        var messageId = headers[StandardWebhooks.IdHeader].ToString();
        var check = StandardWebhooks.Verify(Secret(channel.Id, channel.InboundKeyId), messageId, headers[StandardWebhooks.TimestampHeader].ToString(),
            body, headers[StandardWebhooks.SignatureHeader].ToString(), clock.GetUtcNow(), Window);
        switch (check)
        {
            case SignatureCheck.Valid:
                break;
            case SignatureCheck.OutsideWindow:
                return InboundRefusal.OutsideWindow;
            case SignatureCheck.Missing or SignatureCheck.BadSignature:
                return InboundRefusal.BadSignature;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
        var now = clock.GetCurrentInstant();
        await db.Set<ChannelInboundMessage>().Where(m => m.ReceivedAt < now - Duration.FromTimeSpan(2 * Window)).ExecuteDeleteAsync(ct);
        db.Add(new ChannelInboundMessage { ChannelId = channel.Id, MessageId = messageId, ReceivedAt = now });
        return await db.TrySaveUniqueAsync(ct) ? InboundRefusal.None : InboundRefusal.Replayed;
    }
}
