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
    public bool Enabled { get; private set; } = true;
    /// <summary>Why it was disabled: <see cref="Gone"/> or <see cref="Failing"/> (by the server), manual (by hand); null when enabled.</summary>
    public string? DisabledReason { get; private set; }
    public Instant? DisabledAt { get; private set; }
    /// <summary>Failed attempts since the last success; kept by the dispatcher outside the change tracker.</summary>
    public int ConsecutiveFailures { get; private set; }
    /// <summary>The first failed attempt since the last success (null while the last attempt succeeded); kept like <see cref="ConsecutiveFailures"/>.</summary>
    public Instant? FailingSince { get; private set; }
    public Instant CreatedAt { get; init; }

    /// <summary>Disabled by the server: the receiver answered 410 Gone.</summary>
    public const string Gone = "gone";

    /// <summary>Disabled by the server: every attempt failed for <see cref="WebhookOptions.DisableAfter"/> (5 days) with no success.</summary>
    public const string Failing = "failing";

    /// <summary>Whether a failed attempt at <paramref name="now"/> disables the endpoint, and why.</summary>
    public static string? DisableReason(bool gone, Instant failingSince, Instant now, Duration disableAfter) =>
        gone ? Gone : now - failingSince >= disableAfter ? Failing : null;

    /// <summary>Stops sending: it receives no new events and its pending deliveries are held until it is enabled again.</summary>
    public void Disable(string reason, Instant now)
    {
        Enabled = false;
        DisabledReason = reason;
        DisabledAt = now;
    }

    /// <summary>Sends again, starting from a clean failure count.</summary>
    public void Enable()
    {
        Enabled = true;
        DisabledReason = null;
        DisabledAt = null;
        ConsecutiveFailures = 0;
        FailingSince = null;
    }
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

/// <summary>
/// One message to one endpoint. Sent in id order per endpoint: a failing delivery holds back the later ones.
/// Before it is sent a dispatcher claims it (<see cref="ClaimToken"/>, until <see cref="ClaimedUntil"/>, see
/// <see cref="WebhookClaims"/>); an attempt's result releases the claim, and a claim left by a crash expires.
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>Wait after the n-th failed attempt (Standard Webhooks' suggested schedule); after the last, the delivery fails.</summary>
    public static readonly IReadOnlyList<Duration> RetrySchedule =
    [
        Duration.FromSeconds(5), Duration.FromMinutes(5), Duration.FromMinutes(30), Duration.FromHours(2),
        Duration.FromHours(5), Duration.FromHours(10), Duration.FromHours(10),
    ];

    private WebhookDelivery()
    {
    }

    public long Id { get; init; }
    public Guid EndpointId { get; private init; }
    public string MessageId { get; private init; } = "";
    public DeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public Instant CreatedAt { get; private init; }
    public Instant NextAttemptAt { get; private set; }
    public Instant? LastAttemptAt { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>Set on a replay: the delivery it repeats.</summary>
    public long? ReplayOf { get; private init; }
    /// <summary>The dispatcher pass that may send it now; null when unclaimed.</summary>
    public Guid? ClaimToken { get; private set; }
    /// <summary>When the claim lapses and another dispatcher may take the delivery over.</summary>
    public Instant? ClaimedUntil { get; private set; }

    /// <summary>A pending delivery, due at once.</summary>
    public static WebhookDelivery Pending(Guid endpointId, string messageId, Instant now, long? replayOf = null) => new()
    {
        EndpointId = endpointId, MessageId = messageId, Status = DeliveryStatus.Pending, CreatedAt = now, NextAttemptAt = now, ReplayOf = replayOf,
    };

    public bool IsDue(Instant now) => Status == DeliveryStatus.Pending && NextAttemptAt <= now;

    /// <summary>
    /// Applies an attempt's result and releases the claim: success ends the delivery; 410 Gone fails it;
    /// otherwise it waits for Retry-After (1 s to a day) or the next step of <see cref="RetrySchedule"/>
    /// (±10 % jitter), and fails after the last (it can still be replayed; the endpoint goes on with its
    /// next delivery). Returns true when the receiver answered 410 Gone, which disables the endpoint.
    /// </summary>
    public bool RecordAttempt(bool succeeded, int? statusCode, string? error, TimeSpan? retryAfter, Instant now)
    {
        Attempts++;
        LastAttemptAt = now;
        LastStatusCode = statusCode;
        LastError = error;
        ReleaseClaim();
        if (succeeded)
        {
            Status = DeliveryStatus.Succeeded;
            return false;
        }
        if (statusCode == (int)System.Net.HttpStatusCode.Gone)
        {
            Status = DeliveryStatus.Failed;
            return true;
        }
        if (retryAfter is { } wait)
        {
            NextAttemptAt = now + Duration.FromTimeSpan(TimeSpan.FromTicks(Math.Clamp(wait.Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay)));
            return false;
        }
        if (Attempts > RetrySchedule.Count)
        {
            Status = DeliveryStatus.Failed;
            return false;
        }
        NextAttemptAt = now + Jittered(RetrySchedule[Attempts - 1]);
        return false;
    }

    /// <summary>±10 %, so endpoints that failed together do not all retry at the same instant.</summary>
    private static Duration Jittered(Duration wait) =>
        Duration.FromMilliseconds(wait.TotalMilliseconds * (0.9 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 2001) / 10_000.0));

    private void ReleaseClaim()
    {
        ClaimToken = null;
        ClaimedUntil = null;
    }
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
        b.Property(d => d.ClaimToken).IsConcurrencyToken();
    }

    public void Configure(EntityTypeBuilder<WebhookAttempt> b)
    {
        b.ToTable("webhook_attempts");
        b.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => new { a.DeliveryId, a.At });
        b.Property(a => a.Error).HasMaxLength(500);
    }
}
