package io.tollgate.broker.invoicing;

import java.time.Duration;

/**
 * Who issues the invoices ({@code tollgate.billing.issuer}), as a customer's invoice names them,
 * and how long after an invoice is issued its amount is due ({@code payment-terms}).
 */
public record InvoiceIssuer(String name, String address, String taxId, Duration paymentTerms) {}
