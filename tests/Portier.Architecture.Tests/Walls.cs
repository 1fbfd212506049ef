using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Portier.Architecture.Tests;

/// <summary>
/// The dependency walls of ARCHITECTURE.md, each written once as a rule over the types it guards, so
/// the same rule runs against the product (and must hold) and against a probe that crosses it on
/// purpose (and must fail).
/// </summary>
public static class Walls
{
    /// <summary>The product's three assemblies and this one, whose probes cross each wall.</summary>
    public static readonly ArchUnitNET.Domain.Architecture Portier = new ArchLoader()
        .LoadAssemblies(typeof(global::Portier.Core.Decisions.DecisionEngine).Assembly, typeof(global::Portier.Server.Infrastructure.Persistence.PortierDbContext).Assembly,
            typeof(global::Portier.Simulator.Commands).Assembly, typeof(Walls).Assembly)
        .Build();

    public static IObjectProvider<IType> Namespace(string name) =>
        Types().That().ResideInNamespaceMatching("^" + System.Text.RegularExpressions.Regex.Escape(name) + @"(\..+)?$").As(name);

    public static readonly IObjectProvider<IType> Core = Types().That().ResideInAssembly(typeof(global::Portier.Core.Decisions.DecisionEngine).Assembly).As("Portier.Core");
    public static readonly IObjectProvider<IType> Simulator = Types().That().ResideInAssembly(typeof(global::Portier.Simulator.Commands).Assembly).As("Portier.Simulator");
    public static readonly IObjectProvider<IType> Server = Types().That().ResideInAssembly(typeof(global::Portier.Server.Infrastructure.Persistence.PortierDbContext).Assembly).As("Portier.Server");
    public static readonly IObjectProvider<IType> Infrastructure = Namespace("Portier.Server.Infrastructure");
    public static readonly IObjectProvider<IType> Features = Namespace("Portier.Server.Features");
    public static readonly IObjectProvider<IType> Components = Namespace("Portier.Server.Components");

    /// <summary>
    /// The assemblies <paramref name="assembly"/> references that <paramref name="mayReference"/> does not
    /// allow. Checked on the compiled references, since the type rules below see only loaded assemblies.
    /// </summary>
    public static IReadOnlyList<string> ReferencesOutside(System.Reflection.Assembly assembly, string mayReference) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(name => !System.Text.RegularExpressions.Regex.IsMatch(name, mayReference)).Order()];

    /// <summary>The core has no I/O: it decides with NodaTime and the base library alone, and signs and checks controller bundles with BouncyCastle's Ed25519.</summary>
    public const string CoreMayReference = @"^(System(\..+)?|netstandard|mscorlib|NodaTime|BouncyCastle\.Cryptography)$";

    /// <summary>The simulator is a device: the core, its MQTT and HTTP clients, its command line, never the server.</summary>
    public const string SimulatorMayReference =
        @"^(System(\..+)?|netstandard|Portier\.Core|NodaTime|MQTTnet|Microsoft\.AspNetCore\.(SignalR|Http\.Connections)(\..+)?|Microsoft\.Extensions\..+)$";

    public static IArchRule CoreNeverReachesTheServer(IObjectProvider<IType> core) =>
        Types().That().Are(core).Should().NotDependOnAny(Server).Because("dependencies point inward: the server uses the core, never the reverse");

    public static IArchRule SimulatorNeverReachesTheServer(IObjectProvider<IType> simulator) =>
        Types().That().Are(simulator).Should().NotDependOnAny(Server).Because("the simulator is a device: it speaks MQTT and HTTP, and shares only the core");

    public static IArchRule InfrastructureNeverNamesAFeature(IObjectProvider<IType> infrastructure) =>
        Types().That().Are(infrastructure).Should().NotDependOnAny(Features)
            .Because("infrastructure is what no feature owns; features reach it through its interfaces and register their own services");

    public static IArchRule FeaturesNeverReachTheConsole(IObjectProvider<IType> features) =>
        Types().That().Are(features).Should().NotDependOnAny(Components)
            .Because("the console calls the features, never the reverse");
}
