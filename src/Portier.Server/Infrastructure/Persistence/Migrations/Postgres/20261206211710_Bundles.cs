using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portier.Server.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Bundles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "OfflineHorizonMinutes",
                table: "sites",
                type: "integer",
                nullable: false,
                defaultValue: 1440);

            migrationBuilder.AddColumn<string>(
                name: "FailMode",
                table: "doors",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Secure");

            migrationBuilder.AddColumn<string>(
                name: "OfflineLiveFacts",
                table: "doors",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "CountLocally");

            migrationBuilder.CreateTable(
                name: "bundle_revocations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SubjectId = table.Column<Guid>(type: "uuid", nullable: false),
                    PersonId = table.Column<Guid>(type: "uuid", nullable: true),
                    At = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bundle_revocations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_bundle_revocations_devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "controller_bundles",
                columns: table => new
                {
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    ContentHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BuiltAt = table.Column<long>(type: "bigint", nullable: false),
                    AcknowledgedVersion = table.Column<long>(type: "bigint", nullable: true),
                    AcknowledgedAt = table.Column<long>(type: "bigint", nullable: true),
                    LastRefusal = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    LastRefusalAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_controller_bundles", x => x.DeviceId);
                    table.ForeignKey(
                        name: "FK_controller_bundles_devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_bundle_revocations_DeviceId_Version",
                table: "bundle_revocations",
                columns: new[] { "DeviceId", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_controller_bundles_SiteId",
                table: "controller_bundles",
                column: "SiteId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bundle_revocations");

            migrationBuilder.DropTable(
                name: "controller_bundles");

            migrationBuilder.DropColumn(
                name: "OfflineHorizonMinutes",
                table: "sites");

            migrationBuilder.DropColumn(
                name: "FailMode",
                table: "doors");

            migrationBuilder.DropColumn(
                name: "OfflineLiveFacts",
                table: "doors");
        }
    }
}
