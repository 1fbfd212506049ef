using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Devices;

/// <summary>
/// What a reader takes. Descriptive (the console shows it, controller bundles carry it): a scan is
/// decided on the credential it presents, whichever reader read it.
/// </summary>
public enum ReaderKind
{
    /// <summary>Cards, fobs and phones held to it (RFID, NFC).</summary>
    Card,
    /// <summary>A PIN pad.</summary>
    Keypad,
    /// <summary>A barcode or QR scanner.</summary>
    Qr,
    /// <summary>One unit taking more than one of these (a card reader with a PIN pad, a card and QR reader).</summary>
    Combined,
}

/// <summary>Which way a person passes the door at this reader: into the door's zone, or out of it.</summary>
public enum ReaderDirection { Entry, Exit }

/// <summary>
/// One reader of a controller: the id the controller sends with its scans (<c>readerId</c>), the door
/// it serves (of the controller's site) and which way people pass there. A controller may serve several
/// doors through its readers; a door may have several readers (an entry and an exit reader, a keypad).
/// A scan from a registered reader is decided at the reader's door with its direction.
/// </summary>
public sealed class Reader : IAudited, ISiteOwned, IDoorDirectoryDefinition
{
    public const int MaxReaderIdLength = 64;

    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid DeviceId { get; init; }
    /// <summary>The controller's own name for the reader, unique per controller (e.g. <c>reader-1</c>).</summary>
    public required string ReaderId { get; set; }
    public Guid DoorId { get; set; }
    public ReaderKind Kind { get; set; } = ReaderKind.Card;
    public ReaderDirection Direction { get; set; } = ReaderDirection.Entry;
    public Instant CreatedAt { get; init; }

    /// <summary>
    /// A reader id as a controller may register and send it: 1–64 characters, no surrounding blanks, no
    /// control characters and no <c>/</c> (it is a segment of the reader's API path).
    /// </summary>
    public static bool IsValidReaderId(string? readerId) =>
        !string.IsNullOrWhiteSpace(readerId) && readerId.Length <= MaxReaderIdLength && readerId.Trim().Length == readerId.Length
        && !readerId.Any(c => c == '/' || char.IsControl(c));
}

public static class ReaderDirectionRules
{
    /// <summary>The reader's direction as the decision takes it: an entry reader passes into the door's zone, an exit reader out of it.</summary>
    public static DoorDirection ForDecision(this ReaderDirection direction) => direction switch
    {
        ReaderDirection.Entry => DoorDirection.In,
        ReaderDirection.Exit => DoorDirection.Out,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };
}

internal sealed class ReaderConfiguration : IEntityTypeConfiguration<Reader>
{
    public void Configure(EntityTypeBuilder<Reader> b)
    {
        b.ToTable("readers");
        b.HasOne<Device>().WithMany().HasForeignKey(r => r.DeviceId).OnDelete(DeleteBehavior.Cascade);
        // A deleted door takes its readers with it: they have nothing left to open.
        b.HasOne<Door>().WithMany().HasForeignKey(r => r.DoorId).OnDelete(DeleteBehavior.Cascade);
        b.Property(r => r.ReaderId).HasMaxLength(Reader.MaxReaderIdLength);
        b.HasIndex(r => new { r.DeviceId, r.ReaderId }).IsUnique();
        b.HasIndex(r => r.DoorId);
        b.HasIndex(r => r.SiteId);
    }
}
