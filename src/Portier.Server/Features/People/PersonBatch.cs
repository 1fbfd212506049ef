using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.People;

/// <summary>
/// One bulk upsert into one site (CSV import, integration sync): the site's people matching the
/// batch's external ids are loaded with one query, rows are checked and applied one by one, refused
/// rows are reported, and everything accepted is saved with one SaveChanges (one transaction).
/// </summary>
internal sealed class PersonBatch
{
    private readonly PortierDbContext _db;
    private readonly Guid _siteId;
    private readonly Instant _now;
    private readonly Dictionary<string, Person> _existing;
    private readonly HashSet<string> _claimed = new(StringComparer.Ordinal);
    private readonly List<RowError> _errors = [];

    private PersonBatch(PortierDbContext db, Guid siteId, Instant now, Dictionary<string, Person> existing)
    {
        _db = db;
        _siteId = siteId;
        _now = now;
        _existing = existing;
    }

    public int Created { get; private set; }
    public int Updated { get; private set; }
    public int Unchanged { get; private set; }
    public int Skipped { get; private set; }
    public int Failed { get; private set; }
    public IReadOnlyList<RowError> Errors => _errors;

    public static async Task<PersonBatch> LoadAsync(
        PortierDbContext db, Guid siteId, IEnumerable<string?> externalIds, Instant now, CancellationToken ct)
    {
        var ids = externalIds.Select(PersonDetails.Clean).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var existing = ids.Count == 0
            ? []
            : await db.Set<Person>()
                // One collection parameter whatever the batch size (SQLite caps the number of parameters).
                .Where(p => p.SiteId == siteId && p.ExternalId != null && EF.Parameter(ids).Contains(p.ExternalId))
                .ToListAsync(ct);
        return new PersonBatch(db, siteId, now, existing.ToDictionary(p => p.ExternalId!, StringComparer.Ordinal));
    }

    /// <summary>
    /// Reports the row's validation errors, and refuses an external id already used by an earlier row
    /// of this batch. Returns false when the row must not be applied.
    /// </summary>
    public bool Accept(int row, string? externalId, ValidationErrors errors)
    {
        if (PersonDetails.Clean(externalId) is { } id && !_claimed.Add(id))
            errors.Add("externalId", "Appears on an earlier row of this batch.");
        if (!errors.Any) return true;
        foreach (var (field, messages) in errors.ToDictionary())
            _errors.AddRange(messages.Select(m => new RowError(row, field, m)));
        Failed++;
        return false;
    }

    /// <summary>The site's person with this external id, if any.</summary>
    public Person? Find(string? externalId) =>
        PersonDetails.Clean(externalId) is { } id && _existing.TryGetValue(id, out var person) ? person : null;

    public void Skip() => Skipped++;

    public Person Create(PersonSource source)
    {
        var person = new Person
        {
            SiteId = _siteId, Name = "", PersonType = PersonDetails.DefaultPersonType, Source = source, CreatedAt = _now, UpdatedAt = _now,
        };
        _db.Add(person);
        Created++;
        return person;
    }

    /// <summary>Counts an existing person as updated when the row changed something, else unchanged.</summary>
    public void Touch(Person person)
    {
        if (_db.Entry(person).State == EntityState.Added) return;
        if (_db.Entry(person).State == EntityState.Modified)
        {
            person.UpdatedAt = _now;
            Updated++;
        }
        else Unchanged++;
    }
}
