namespace Portier.Core.Policy;

/// <summary>
/// What a decision reads about a person, in one 32-byte record so it costs one cache miss at a million
/// people (six separate arrays cost six). Built by <c>PolicyCompiler.CompilePerson</c>; the grant range
/// is filled in when the grants are grouped by person.
/// </summary>
internal struct CompiledPerson
{
    /// <summary>The first 64 interned tags; a snapshot with more keeps the rest in <see cref="PolicySnapshot.PersonMoreTags"/>.</summary>
    public ulong Tags;
    /// <summary>type × statusCount + status, the bit a rule set's type/status pairs test.</summary>
    public int TypeStatus;
    public int Type;
    /// <summary>The person's site index, or -1 for a person valid at every site.</summary>
    public int Site;
    /// <summary>The person's grants are Grants[GrantStart .. GrantEnd).</summary>
    public int GrantStart;
    public int GrantEnd;
    public bool Enabled;
    public bool Blocklisted;
}

/// <summary>A grant's fields side by side, in the order a decision checks them. Built by <c>PolicyCompiler.CompileGrant</c>.</summary>
internal readonly struct CompiledGrant(long from, long until, int site, bool siteWide, int[] doors, int[] scopes, CompiledHours hours, bool temporary, bool holidays)
{
    public readonly long From = from;
    public readonly long Until = until;
    /// <summary>Sorted, distinct door indexes.</summary>
    public readonly int[] Doors = doors;
    /// <summary>Sorted, distinct scope indexes.</summary>
    public readonly int[] Scopes = scopes;
    public readonly CompiledHours Hours = hours;
    public readonly int Site = site;
    public readonly bool SiteWide = siteWide;
    public readonly bool Temporary = temporary;
    public readonly bool Holidays = holidays;
}

/// <summary>A credential's fields side by side. Built by <c>PolicyCompiler.CompileCredential</c>.</summary>
internal readonly struct CompiledCredential(int person, bool revoked, long from, long until, int maxUses, int[]? inviteDoors)
{
    public readonly long From = from;
    public readonly long Until = until;
    /// <summary>For an invite's credential, the sorted doors it may open (empty = every point of entry); null otherwise.</summary>
    public readonly int[]? InviteDoors = inviteDoors;
    public readonly int Person = person;
    /// <summary>-1 = no limit.</summary>
    public readonly int MaxUses = maxUses;
    public readonly bool Revoked = revoked;
}
