package cli

// extraCommands lists the commands defined in the other files of this
// package. Each command family adds its constructor here.
func extraCommands() []command {
	return []command{
		userAddCommand(),
		tokenListCommand(), tokenRevokeCommand(), tokenPurgeCommand(),
		auditVerifyCommand(),
		orgAddCommand(),
		orgListCommand(),
		importCOGCommand(),
		importGeoCommand(),
		serveCommand(),
		demoCommand(),
		equipmentListCommand(), equipmentImportCommand(), equipmentUsageCommand(),
		agreementListCommand(),
		agreementShowCommand(),
		agreementAlertsCommand(),
		agreementOpenDataCommand(),
		agreementRefreshCommand(),
		ledgerCommand(), genCommand(),
		serviceListCommand(), serviceImportUsageCommand(), serviceUnitCostCommand(), serviceNotifyCommand(), serviceStatementCommand(),
		staffListCommand(), staffAlertsCommand(), staffImportTimeCommand(), staffReimburseCommand(),
		purchasingCommand(),
	}
}
