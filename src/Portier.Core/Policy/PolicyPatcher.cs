using System.Runtime.CompilerServices;

namespace Portier.Core.Policy;

/// <summary>
/// Applies one <see cref="PolicyChange"/> to a snapshot, copying only what the change touches: a person's record is
/// replaced in a copy of its page of records (<see cref="PersonPages"/>); a credential, or a person's run of grants, is written to fresh slots at
/// the end of its arrays (in place when no newer snapshot claimed them, else into grown copies) and the id maps point
/// there; a door copies the door arrays (there are few doors). The id maps change through small overlays
/// (<see cref="GuidIndex.Change"/>), so nothing people-sized is rebuilt. Entities are compiled by the
/// <see cref="PolicyCompiler"/> methods the full compile uses.
/// </summary>
internal static partial class PolicyPatcher
{
    /// <summary>Unused slots tolerated beyond the used ones before a full compile is asked for, to drop them.</summary>
    private const int SlackSlots = 4096;

    public static PolicySnapshot? Apply(PolicySnapshot snapshot, PolicyChange change)
    {
        var s = WithIdMaps(snapshot);
        if (s.GrantsUsed > 2 * s.GrantCount + SlackSlots || s.CredentialsUsed > 2 * s.CredentialCount + SlackSlots
            || s.PeopleUsed > 2 * s.PersonCount + SlackSlots) return null;
        return change switch
        {
            PersonChanged c => ChangePerson(s, c.Person),
            PersonRemoved c => RemovePerson(s, c.PersonId),
            CredentialChanged c => ChangeCredential(s, c.Credential),
            CredentialRemoved c => RemoveCredential(s, c.CredentialId),
            GrantChanged c => ChangeGrant(s, c.Grant),
            GrantRemoved c => RemoveGrant(s, c.GrantId),
            DoorChanged c => ChangeDoor(s, c.Door),
            DoorRemoved => null,
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown policy change."),
        };
    }

    private static PolicyCompiler Compiler(PolicySnapshot s) => new(s.Patching, s.DoorIndex);

    /// <summary>
    /// The grant and credential id maps, each grant's person and each credential's key, built once from a fully
    /// compiled snapshot (where every slot is in use), so a compile that is never patched does not pay for them.
    /// </summary>
    private static PolicySnapshot WithIdMaps(PolicySnapshot s)
    {
        if (s.GrantById is not null) return s;
        var grants = new GuidIndex(s.GrantsUsed);
        for (var g = 0; g < s.GrantsUsed; g++) grants.TryAdd(s.GrantIds[g], g);
        var grantPerson = new int[s.GrantIds.Length];
        for (var p = 0; p < s.PeopleUsed; p++)
            for (var g = s.People[p].GrantStart; g < s.People[p].GrantEnd; g++) grantPerson[g] = p;
        var credentials = new GuidIndex(s.CredentialsUsed);
        for (var c = 0; c < s.CredentialsUsed; c++) credentials.TryAdd(s.CredentialIds[c], c);
        var keys = new CredentialKey[s.CredentialIds.Length];
        foreach (var (key, c) in s.CredentialIndex.Entries()) keys[c] = key;
        return s with { GrantById = grants, GrantPerson = grantPerson, CredentialById = credentials, CredentialKeys = keys };
    }

    private static PolicySnapshot? ChangePerson(PolicySnapshot s, PersonDefinition person)
    {
        var compiler = Compiler(s);
        if (!compiler.Interned(person)) return null;
        var more = s.TagWords - 1;
        var moreTags = new ulong[more];
        var compiled = compiler.CompilePerson(person, moreTags);
        var held = new List<(int Qualification, long From, long Until)>();
        PolicyCompiler.AddHeldQualifications(person, id => s.Patching.QualificationIndex.GetValueOrDefault(id, -1), held);
        if (held.Any(h => h.Qualification < 0)) return null;

        if (!s.PersonIndex.TryGetValue(person.Id, out var p))
            return s.Patching.ListedPeople.Contains(person.Id) || held.Count > 0 ? null : AddPerson(s, person.Id, compiled, moreTags);

        // A person's site is part of their credentials' keys, and held qualifications sit in one run for everyone.
        if (compiled.Site != s.People[p].Site || !SameHeld(s, p, held)) return null;
        compiled.GrantStart = s.People[p].GrantStart;
        compiled.GrantEnd = s.People[p].GrantEnd;
        var personMoreTags = s.PersonMoreTags;
        if (!personMoreTags.AsSpan(p * more, more).SequenceEqual(moreTags))
        {
            personMoreTags = Copy(personMoreTags, personMoreTags.Length, personMoreTags.Length);
            moreTags.CopyTo(personMoreTags, p * more);
        }
        var people = s.People.With(p, compiled);
        return s with { People = people, PersonMoreTags = personMoreTags, PersonIndex = s.PersonIndex.With(person.Id, p, people) };
    }

    private static bool SameHeld(PolicySnapshot s, int p, List<(int Qualification, long From, long Until)> held)
    {
        var start = s.PersonQualificationStart[p];
        if (s.PersonQualificationStart[p + 1] - start != held.Count) return false;
        for (var i = 0; i < held.Count; i++)
        {
            if (s.HeldQualification[start + i] != held[i].Qualification || s.HeldQualificationFrom[start + i] != held[i].From
                || s.HeldQualificationUntil[start + i] != held[i].Until) return false;
        }
        return true;
    }

    /// <summary>A person without qualifications in the next free slot; the qualification runs end at the last one, so theirs is empty there.</summary>
    private static PolicySnapshot AddPerson(PolicySnapshot s, Guid id, CompiledPerson compiled, ulong[] moreTags)
    {
        var n = s.PeopleUsed;
        var inPlace = s.PeopleSlots.TryClaim(n, 1, s.PersonIds.Length);
        var capacity = inPlace ? s.PersonIds.Length : Grown(n + 1);
        var more = s.TagWords - 1;
        var ids = Room(s.PersonIds, n, capacity, inPlace);
        var people = inPlace ? s.People : s.People.WithRoom(n, capacity);
        var personMoreTags = inPlace ? s.PersonMoreTags : Copy(s.PersonMoreTags, n * more, capacity * more);
        var qualificationStart = inPlace ? s.PersonQualificationStart : Copy(s.PersonQualificationStart, n + 1, capacity + 1);
        ids[n] = id;
        compiled.GrantStart = compiled.GrantEnd = 0;
        people[n] = compiled;
        moreTags.CopyTo(personMoreTags, n * more);
        qualificationStart[n + 1] = qualificationStart[n];
        return s with
        {
            PersonIndex = s.PersonIndex.With(id, n, people),
            PersonIds = ids,
            People = people,
            PersonMoreTags = personMoreTags,
            PersonQualificationStart = qualificationStart,
            PeopleUsed = n + 1,
            PeopleSlots = inPlace ? s.PeopleSlots : new Slots(n + 1),
        };
    }

    /// <summary>Removes the person with their grants and credentials; their slot stays, unreachable.</summary>
    private static PolicySnapshot? RemovePerson(PolicySnapshot s, Guid personId)
    {
        if (!s.PersonIndex.TryGetValue(personId, out var p)) return s;
        if (s.Patching.ListedPeople.Contains(personId)) return null;
        var grants = new List<(Guid, int)>();
        for (var g = s.People[p].GrantStart; g < s.People[p].GrantEnd; g++) grants.Add((s.GrantIds[g], -1));
        var credentialIds = new List<(Guid, int)>();
        var credentialKeys = new List<(CredentialKey, int)>();
        for (var c = 0; c < s.CredentialsUsed; c++)
        {
            if (s.Credentials[c].Person != p || !s.CredentialById!.TryGetValue(s.CredentialIds[c], out var live) || live != c) continue;
            credentialIds.Add((s.CredentialIds[c], -1));
            credentialKeys.Add((s.CredentialKeys![c], -1));
        }
        return s with
        {
            PersonIndex = s.PersonIndex.Without(personId, s.People),
            GrantById = s.GrantById!.Change([.. grants]),
            GrantCount = s.GrantCount - grants.Count,
            CredentialById = s.CredentialById!.Change([.. credentialIds]),
            CredentialIndex = s.CredentialIndex.Change([.. credentialKeys], s.Credentials),
        };
    }

    /// <summary>The array with element <paramref name="i"/> set: itself when it holds that value already, else a copy.</summary>
    private static T[] Set<T>(T[] array, int i, T value)
    {
        if (EqualityComparer<T>.Default.Equals(array[i], value)) return array;
        var copy = Copy(array, array.Length, array.Length);
        copy[i] = value;
        return copy;
    }

    /// <summary>The array to append to: itself when its free slots were claimed, else a copy of its used part with room.</summary>
    private static T[] Room<T>(T[] array, int used, int capacity, bool inPlace) => inPlace ? array : Copy(array, used, capacity);

    /// <summary>
    /// The first <paramref name="used"/> elements in a new array of <paramref name="capacity"/>; arrays of plain values
    /// skip zeroing what the copy overwrites.
    /// </summary>
    private static T[] Copy<T>(T[] array, int used, int capacity)
    {
        var copy = RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? new T[capacity] : GC.AllocateUninitializedArray<T>(capacity);
        array.AsSpan(0, used).CopyTo(copy);
        if (capacity > used && !RuntimeHelpers.IsReferenceOrContainsReferences<T>()) copy.AsSpan(used).Clear();
        return copy;
    }

    /// <summary>Room for <paramref name="needed"/> slots and an eighth more, so appends copy rarely.</summary>
    private static int Grown(int needed) => needed + Math.Max(64, needed / 8);
}
