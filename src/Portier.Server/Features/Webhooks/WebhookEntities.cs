using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Webhooks;

/// <summary>A subscriber: where to post, which event types, and the secret deliveries are signed with.</summary>
public sealed class WebhookEndpoint : IAudited
{
    public Guid Id { get; init; } = SequentialIds.Next();
    /// <summary>Null receives events of every site (only callers who see every site may create one).</summary>
    public Guid? SiteId { get; init; }
    public required string Url { get; set; }
    public string? Description { get; set; }
    /// <summary>Exact types (access.granted), a family (invite.*) or everything (*).</summary>
    public List<string> EventTypes { get; set; } = [];
    /// <summary>whsec_ + base64 key; shown once when created.</summary>
    [Secret]
    public required string Secret { get; init; }
    public bool Enabled { get; set; } = true;
    /// <summary>Why the server disabled it (gone, failing); null when enabled or disabled by hand.</summary>
    public string? DisabledReason { get; set; }
    public Instant? DisabledAt { get; set; }
    public int ConsecutiveFailures { get; set; }
    public Instant CreatedAt { get; init; }
}

/// <summary>One event as sent: the exact body bytes are kept so every attempt and replay signs the same payload.</summary>
public sealed class WebhookMessage
{
    /// <summary>The webhook-id header: msg_ + a unique token, the receiver's idempotency key.</summary>
    public required string Id { get; init; }
    public required string Type { get; init; }
    public Guid? SiteId { get; init; }
    public Instant At { get; init; }
    public required string Body { get; init; }
}

public enum DeliveryStatus { Pending, Succeeded, Failed }

/// <summary>One message to one endpoint. Sent in id order per endpoint: a failing delivery holds back the later ones.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; init; }
    public Guid EndpointId { get; init; }
    public required string MessageId { get; init; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public Instant CreatedAt { get; init; }
    public Instant NextAttemptAt { get; set; }
    public Instant? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    /// <summary>Set on a replay: the delivery it repeats.</summary>
    public long? ReplayOf { get; init; }
}

/// <summary>The delivery log: every attempt with its status code (or error) and response time.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; init; }
    public long DeliveryId { get; init; }
    public Guid EndpointId { get; init; }
    public Instant At { get; init; }
    public int? StatusCode { get; init; }
    public int DurationMs { get; init; }
    public string? Error { get; init; }
}

internal sealed class WebhookConfigurations :
    IEntityTypeConfiguration<WebhookEndpoint>, IEntityTypeConfiguration<WebhookMessage>,
    IEntityTypeConfiguration<WebhookDelivery>, IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> b)
    {
        b.ToTable("webhook_endpoints");
        b.Property(e => e.Url).HasMaxLength(2000);
        b.Property(e => e.Description).HasMaxLength(500);
        b.Property(e => e.Secret).HasMaxLength(100);
        b.Property(e => e.DisabledReason).HasMaxLength(64);
        b.Property(e => e.EventTypes).HasJsonConversion();
    }

    public void Configure(EntityTypeBuilder<WebhookMessage> b)
    {
        b.ToTable("webhook_messages");
        b.Property(m => m.Id).HasMaxLength(64);
        b.Property(m => m.Type).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<WebhookMessage>().WithMany().HasForeignKey(d => d.MessageId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(d => new { d.EndpointId, d.Status, d.Id });
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.Property(d => d.MessageId).HasMaxLength(64);
        b.Property(d => d.LastError).HasMaxLength(500);
    }

    public void Configure(EntityTypeBuilder<WebhookAttempt> b)
    {
        b.ToTable("webhook_attempts");
        b.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.DeliveryId, a.At });
        b.Property(a => a.Error).HasMaxLength(500);
    }
}
