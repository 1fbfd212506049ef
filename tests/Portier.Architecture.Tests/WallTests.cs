using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Portier.Architecture.Tests;

/// <summary>Each wall holds for the product, and the same rule fails on a probe that crosses it.</summary>
public sealed class WallTests
{
    [Fact]
    public void Core_ReferencesOnlyNodaTimeBouncyCastleAndTheBaseLibrary() =>
        Assert.Empty(Walls.ReferencesOutside(typeof(global::Portier.Core.Decisions.DecisionEngine).Assembly, Walls.CoreMayReference));

    [Fact]
    public void Simulator_ReferencesOnlyTheCoreAndItsOwnPackages() =>
        Assert.Empty(Walls.ReferencesOutside(typeof(global::Portier.Simulator.Commands).Assembly, Walls.SimulatorMayReference));

    [Fact]
    public void Core_NeverReachesTheServer() => Walls.CoreNeverReachesTheServer(Walls.Core).Check(Walls.Portier);

    [Fact]
    public void Simulator_NeverReachesTheServer() => Walls.SimulatorNeverReachesTheServer(Walls.Simulator).Check(Walls.Portier);

    [Fact]
    public void Infrastructure_NeverNamesAFeature() => Walls.InfrastructureNeverNamesAFeature(Walls.Infrastructure).Check(Walls.Portier);

    [Fact]
    public void Features_NeverReachTheConsole() => Walls.FeaturesNeverReachTheConsole(Walls.Features).Check(Walls.Portier);

    /// <summary>This test assembly references EF Core (see its probes) and the server: both rules must name them.</summary>
    [Fact]
    public void ReferenceRules_OnThisAssembly_ReportTheServerAndEntityFramework()
    {
        var self = typeof(WallTests).Assembly;
        Assert.Contains("Microsoft.EntityFrameworkCore", Walls.ReferencesOutside(self, Walls.CoreMayReference));
        Assert.Contains("Portier.Server", Walls.ReferencesOutside(self, Walls.SimulatorMayReference));
    }

    [Fact]
    public void CoreServerRule_OnAProbeUsingTheServer_ReportsTheViolation() =>
        AssertViolates(Walls.CoreNeverReachesTheServer(Probe(typeof(Probes.ProbeUsingTheServer))), nameof(Probes.ProbeUsingTheServer));

    [Fact]
    public void SimulatorRule_OnAProbeUsingTheServer_ReportsTheViolation() =>
        AssertViolates(Walls.SimulatorNeverReachesTheServer(Probe(typeof(Probes.ProbeUsingTheServer))), nameof(Probes.ProbeUsingTheServer));

    [Fact]
    public void InfrastructureRule_OnAProbeNamingAFeature_ReportsTheViolation() =>
        AssertViolates(Walls.InfrastructureNeverNamesAFeature(Probe(typeof(Probes.ProbeNamingAFeature))), nameof(Probes.ProbeNamingAFeature));

    [Fact]
    public void FeaturesRule_OnAProbeUsingTheConsole_ReportsTheViolation() =>
        AssertViolates(Walls.FeaturesNeverReachTheConsole(Probe(typeof(Probes.ProbeUsingTheConsole))), nameof(Probes.ProbeUsingTheConsole));

    private static IObjectProvider<IType> Probe(Type probe) => Types().That().Are(probe).As(probe.Name);

    private static void AssertViolates(IArchRule rule, string probe)
    {
        Assert.False(rule.HasNoViolations(Walls.Portier));
        var failure = Assert.Throws<FailedArchRuleException>(() => rule.Check(Walls.Portier));
        Assert.Contains(probe, failure.Message, StringComparison.Ordinal);
    }
}
