using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Invites;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Invites;

/// <summary>How a visitor proves who they are at a point of entry. Biometric methods are held by a capable channel, never by Portier.</summary>
public enum CredentialMethod { Pin, Otp, Qr, Fingerprint, Facial, Liveness }

/// <summary>An invite template: what a visit requires and how long it lasts.</summary>
public sealed class EntryType : IAudited, ISiteOwned
{
    public const int MaxValidityMinutes = 60 * 24 * 366;

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public List<CredentialMethod> Methods { get; set; } = [];
    /// <summary>The default length of an invite's window when the invite gives no end.</summary>
    public int ValidityMinutes { get; set; } = 8 * 60;
    /// <summary>Uses per credential; null = unlimited within the window.</summary>
    public int? MaxUses { get; set; }
    /// <summary>Points of entry (door ids) the credentials open; empty = every point of entry of the site.</summary>
    public List<Guid> AllowedPointOfEntryIds { get; set; } = [];
    public bool RequiresApproval { get; set; }
    public bool Active { get; set; } = true;
}

/// <summary>
/// The connection to the access hardware that receives an invite's credentials. <see cref="Handler"/>
/// names an entry of <see cref="ChannelHandlers"/>; <see cref="Configuration"/> holds that handler's fields.
/// </summary>
public sealed class Channel : IAudited
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Handler { get; init; }
    [Secret]
    public Dictionary<string, string> Configuration { get; set; } = [];
    public int DisplayOrder { get; set; }
    public bool Active { get; set; } = true;
    /// <summary>The sites (locations) this channel serves.</summary>
    public List<Guid> SiteIds { get; set; } = [];
    /// <summary>
    /// Names the current inbound signing secret of the channel's gates; the secret itself is derived
    /// from it and a server key outside the database (<see cref="ChannelInboundSigning"/>).
    /// </summary>
    [Secret]
    public string? InboundKeyId { get; set; }
}

/// <summary>The tenant-wide access settings: one row.</summary>
public sealed class AccessSettings : IAudited
{
    public static readonly Guid SingletonId = new("00000000-0000-0000-0000-00000000a11e");

    public Guid Id { get; init; } = SingletonId;
    public Guid? DefaultChannelId { get; set; }
    public bool ModuleEnabled { get; set; } = true;
}

/// <summary>Time-limited access for one visitor or contractor at one site.</summary>
public sealed class Invite : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Reference { get; init; }
    /// <summary>The person record the invite's credentials belong to (person type Visitor).</summary>
    public Guid VisitorPersonId { get; init; }
    public required string VisitorName { get; set; }
    public string? VisitorEmail { get; set; }
    public string? VisitorPhone { get; set; }
    public Guid? HostPersonId { get; init; }
    /// <summary>True when a member raised this invite from the member app (the host is that member).</summary>
    public bool RaisedByMember { get; init; }
    public Guid EntryTypeId { get; init; }
    /// <summary>Null = Portier's built-in channel.</summary>
    public Guid? ChannelId { get; init; }
    public string? Purpose { get; set; }
    public Instant ValidFrom { get; init; }
    public Instant ValidUntil { get; init; }
    public InviteStatus Status { get; private set; } = InviteStatus.Draft;
    public bool Approved { get; private set; }
    /// <summary>SHA-256 of the visitor link token; null until a credential is issued.</summary>
    [Secret]
    public string? LinkTokenHash { get; private set; }
    /// <summary>What the channel answered last (the detail view's channel output panel).</summary>
    public string? ChannelOutput { get; set; }
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }
    public Instant? ClosedAt { get; private set; }

    /// <summary>Points the visitor link at a fresh token (issuing or reissuing); a closed invite has no link.</summary>
    public void OpenLink(string tokenHash, Instant at)
    {
        if (InviteLifecycle.IsFinal(Status))
            throw new TransitionRefusedException("invite_closed", $"Invite {Reference} is {Status.ToString().ToLowerInvariant()}: it has no visitor link.");
        LinkTokenHash = tokenHash;
        UpdatedAt = at;
    }

    /// <summary>
    /// Moves the invite through its lifecycle (<see cref="InviteLifecycle.CheckMove"/>); a move the
    /// lifecycle does not allow changes nothing and throws <see cref="TransitionRefusedException"/>.
    /// Accepting approves; a final state closes the invite and its visitor link.
    /// </summary>
    public void MoveTo(InviteStatus status, Instant at)
    {
        if (InviteLifecycle.CheckMove(Status, status) is { } refusal)
            throw new TransitionRefusedException(refusal,
                $"Invite {Reference} cannot move from {Status.ToString().ToLowerInvariant()} to {status.ToString().ToLowerInvariant()}.");
        if (status == InviteStatus.Accepted) Approved = true;
        Status = status;
        UpdatedAt = at;
        if (InviteLifecycle.IsFinal(status))
        {
            ClosedAt = at;
            LinkTokenHash = null;
        }
    }
}

/// <summary>
/// One credential record issued for an invite, per method. PIN, OTP and QR records point at the
/// engine's <see cref="Credential"/> (which keeps only a keyed hash or the QR nonce); biometric
/// records are enrolled by the channel and have none.
/// </summary>
public sealed class InviteCredential : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid InviteId { get; init; }
    public CredentialMethod Method { get; init; }
    public Guid? CredentialId { get; init; }
    public List<Guid> AllowedDoorIds { get; init; } = [];
    /// <summary>True once the secret (PIN or code) has been shown to someone; it is never shown again.</summary>
    public bool Revealed { get; set; }
    public Instant? RevealedAt { get; set; }
    public bool Revoked { get; set; }
    public Instant CreatedAt { get; init; }
}

/// <summary>A public key gates use to verify QR passes offline; its private half is derived from a key kept outside the database.</summary>
public sealed class QrSigningKey : ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string KeyId { get; init; }
    public required string PublicKey { get; init; }
    public Instant CreatedAt { get; init; }
    public Instant? RetiredAt { get; set; }
}

/// <summary>A permission held by a member (a person signed in to the member app), such as <c>invites:create_own</c>.</summary>
public sealed class MemberGrant : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public required string Permission { get; init; }
}

internal sealed class InviteConfigurations :
    IEntityTypeConfiguration<EntryType>, IEntityTypeConfiguration<Channel>, IEntityTypeConfiguration<AccessSettings>,
    IEntityTypeConfiguration<Invite>, IEntityTypeConfiguration<InviteCredential>, IEntityTypeConfiguration<QrSigningKey>,
    IEntityTypeConfiguration<MemberGrant>
{
    public void Configure(EntityTypeBuilder<EntryType> b)
    {
        b.ToTable("entry_types");
        // A site can only be deleted once its doors and people are gone; its entry types go with it.
        b.HasOne<Site>().WithMany().HasForeignKey(e => e.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.Property(e => e.Name).HasMaxLength(200);
        b.Property(e => e.Description).HasMaxLength(1000);
        b.Property(e => e.Methods).HasJsonConversion();
        b.HasIndex(e => new { e.SiteId, e.Name });
    }

    public void Configure(EntityTypeBuilder<Channel> b)
    {
        b.ToTable("channels");
        b.HasIndex(c => c.Code).IsUnique();
        b.Property(c => c.Code).HasMaxLength(64);
        b.Property(c => c.Name).HasMaxLength(200);
        b.Property(c => c.Handler).HasMaxLength(64);
        b.Property(c => c.Configuration).HasJsonConversion();
        b.Property(c => c.InboundKeyId).HasMaxLength(32);
    }

    public void Configure(EntityTypeBuilder<AccessSettings> b) => b.ToTable("access_settings");

    public void Configure(EntityTypeBuilder<Invite> b)
    {
        b.ToTable("invites");
        b.HasOne<Site>().WithMany().HasForeignKey(i => i.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<EntryType>().WithMany().HasForeignKey(i => i.EntryTypeId).OnDelete(DeleteBehavior.Restrict);
        // Deleting the visitor's person record deletes their invites with it.
        b.HasOne<Person>().WithMany().HasForeignKey(i => i.VisitorPersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(i => i.Reference).IsUnique();
        b.HasIndex(i => i.LinkTokenHash).IsUnique();
        b.HasIndex(i => new { i.Status, i.ValidUntil });
        b.HasIndex(i => new { i.SiteId, i.CreatedAt });
        b.HasIndex(i => i.HostPersonId);
        b.Property(i => i.Reference).HasMaxLength(32);
        b.Property(i => i.VisitorName).HasMaxLength(200);
        b.Property(i => i.VisitorEmail).HasMaxLength(320);
        b.Property(i => i.VisitorPhone).HasMaxLength(40);
        b.Property(i => i.Purpose).HasMaxLength(1000);
        b.Property(i => i.LinkTokenHash).HasMaxLength(64);
        b.Property(i => i.ChannelOutput).HasMaxLength(2000);
    }

    public void Configure(EntityTypeBuilder<InviteCredential> b)
    {
        b.ToTable("invite_credentials");
        b.HasOne<Invite>().WithMany().HasForeignKey(c => c.InviteId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Credential>().WithMany().HasForeignKey(c => c.CredentialId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => c.InviteId);
        b.HasIndex(c => c.CredentialId).IsUnique();
    }

    public void Configure(EntityTypeBuilder<QrSigningKey> b)
    {
        b.ToTable("qr_signing_keys");
        b.HasOne<Site>().WithMany().HasForeignKey(k => k.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(k => k.KeyId).IsUnique();
        b.HasIndex(k => new { k.SiteId, k.CreatedAt });
        b.Property(k => k.KeyId).HasMaxLength(32);
        b.Property(k => k.PublicKey).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<MemberGrant> b)
    {
        b.ToTable("member_permissions");
        b.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.PersonId, p.Permission }).IsUnique();
        b.Property(p => p.Permission).HasMaxLength(64);
    }
}
