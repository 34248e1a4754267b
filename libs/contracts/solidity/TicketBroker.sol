// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Manager} from "./Manager.sol";

/// Probabilistic-micropayment broker: sender deposits and reserves, winning ticket redemption.
/// ETH physically sits in the Minter (deposited through `depositETH`, paid via `trustedWithdrawETH`).
contract TicketBroker is Manager {
    // secp256k1n / 2
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    struct Reserve {
        uint256 funds;
        mapping(uint256 => uint256) claimedForRound;
        mapping(uint256 => mapping(address => uint256)) claimedByAddress;
    }

    uint256 public unlockPeriod;
    uint256 public ticketValidityPeriod;
    mapping(bytes32 => bool) public usedTickets;
    mapping(address => Sender) private senders;
    mapping(address => Reserve) private reserves;

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);

    constructor(address _controller) Manager(_controller) {}

    modifier currentRoundInitialized() {
        require(_roundsManager().currentRoundInitialized(), "current round is not initialized");
        _;
    }

    // ---- parameters ----

    function setUnlockPeriod(uint256 _unlockPeriod) external onlyControllerOwner {
        unlockPeriod = _unlockPeriod;
        emit ParameterUpdate("unlockPeriod");
    }

    function setTicketValidityPeriod(uint256 _ticketValidityPeriod) external onlyControllerOwner {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        ticketValidityPeriod = _ticketValidityPeriod;
        emit ParameterUpdate("ticketValidityPeriod");
    }

    // ---- funding ----

    function fundDeposit() external payable whenSystemNotPaused {
        _addDeposit(msg.sender, msg.value);
        _forward(msg.value);
    }

    function fundReserve() external payable whenSystemNotPaused {
        _addReserve(msg.sender, msg.value);
        _forward(msg.value);
    }

    function fundDepositAndReserve(uint256 _depositAmount, uint256 _reserveAmount) external payable {
        fundDepositAndReserveFor(msg.sender, _depositAmount, _reserveAmount);
    }

    function fundDepositAndReserveFor(address _addr, uint256 _depositAmount, uint256 _reserveAmount)
        public
        payable
        whenSystemNotPaused
    {
        require(
            msg.value == _depositAmount + _reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        _addReserve(_addr, _reserveAmount);
        _addDeposit(_addr, _depositAmount);
        _forward(msg.value);
    }

    function _addDeposit(address _addr, uint256 _amount) private {
        Sender storage s = senders[_addr];
        s.deposit += _amount;
        if (s.withdrawRound > 0 && msg.sender == _addr) _cancelUnlock(s, _addr);
        emit DepositFunded(_addr, _amount);
    }

    function _addReserve(address _addr, uint256 _amount) private {
        Sender storage s = senders[_addr];
        reserves[_addr].funds += _amount;
        if (s.withdrawRound > 0 && msg.sender == _addr) _cancelUnlock(s, _addr);
        emit ReserveFunded(_addr, _amount);
    }

    function _forward(uint256 _amount) private {
        _minter().depositETH{value: _amount}();
    }

    // ---- redemption ----

    function redeemWinningTicket(Ticket memory _ticket, bytes memory _sig, uint256 _recipientRand)
        public
        whenSystemNotPaused
        currentRoundInitialized
    {
        bytes32 ticketHash = getTicketHash(_ticket);
        uint256 round = _roundsManager().currentRound();
        _checkTicket(_ticket, _sig, _recipientRand, ticketHash, round);

        Sender storage s = senders[_ticket.sender];
        require(s.withdrawRound == 0 || round < s.withdrawRound, "sender is unlocked");
        // [#657] the whole reserve counts here, although only the recipient's slice is paid (#663).
        require(
            s.deposit + reserves[_ticket.sender].funds >= _ticket.faceValue,
            "sender deposit and reserve insufficient to cover ticket face value"
        );

        usedTickets[ticketHash] = true;

        uint256 amount;
        if (_ticket.faceValue > s.deposit) {
            amount = s.deposit + _claimFromReserve(_ticket.sender, _ticket.recipient, _ticket.faceValue - s.deposit, round);
            s.deposit = 0;
        } else {
            s.deposit -= _ticket.faceValue;
            amount = _ticket.faceValue;
        }

        if (amount > 0) {
            _bondingManager().updateTranscoderWithFees(_ticket.recipient, amount, _creationRound(_ticket.auxData));
            emit WinningTicketTransfer(_ticket.sender, _ticket.recipient, amount);
        }

        emit WinningTicketRedeemed(
            _ticket.sender,
            _ticket.recipient,
            _ticket.faceValue,
            _ticket.winProb,
            _ticket.senderNonce,
            _recipientRand,
            _ticket.auxData
        );
    }

    function batchRedeemWinningTickets(Ticket[] memory _tickets, bytes[] memory _sigs, uint256[] memory _recipientRands)
        external
        whenSystemNotPaused
        currentRoundInitialized
    {
        for (uint256 i = 0; i < _tickets.length; i++) {
            // failures are skipped silently
            try this.redeemWinningTicket(_tickets[i], _sigs[i], _recipientRands[i]) {} catch {}
        }
    }

    function _checkTicket(
        Ticket memory _ticket,
        bytes memory _sig,
        uint256 _recipientRand,
        bytes32 _ticketHash,
        uint256 _round
    ) private view {
        require(_ticket.recipient != address(0), "ticket recipient is null address");
        require(_ticket.sender != address(0), "ticket sender is null address");
        require(_ticket.auxData.length == 64, "invalid length for ticket auxData: must be 64 bytes");
        uint256 creationRound = _creationRound(_ticket.auxData);
        bytes32 expected = _roundsManager().blockHashForRound(creationRound);
        require(expected != bytes32(0), "ticket creationRound does not have a block hash");
        require(expected == _creationRoundBlockHash(_ticket.auxData), "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > _round, "ticket is expired");
        require(keccak256(abi.encodePacked(_recipientRand)) == _ticket.recipientRandHash, "recipientRand does not match recipientRandHash");
        require(!usedTickets[_ticketHash], "ticket is used");
        address signer = _recoverPersonal(_ticketHash, _sig);
        require(signer != address(0) && signer == _ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(_sig, _recipientRand))) < _ticket.winProb, "ticket did not win");
    }

    function _recoverPersonal(bytes32 _hash, bytes memory _sig) private pure returns (address) {
        require(_sig.length == 65, "INVALID_SIGNATURE_LENGTH");
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(_sig, 0x20))
            s := mload(add(_sig, 0x40))
            v := byte(0, mload(add(_sig, 0x60)))
        }
        require(uint256(s) <= HALF_CURVE_ORDER, "ECDSA: invalid signature 's' value");
        require(v == 27 || v == 28, "ECDSA: invalid signature 'v' value");
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _hash));
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0), "ECDSA: invalid signature");
        return signer;
    }

    function _creationRound(bytes memory _auxData) private pure returns (uint256 round) {
        assembly {
            round := mload(add(_auxData, 0x20))
        }
    }

    function _creationRoundBlockHash(bytes memory _auxData) private pure returns (bytes32 hash) {
        assembly {
            hash := mload(add(_auxData, 0x40))
        }
    }

    function getTicketHash(Ticket memory _ticket) public pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                _ticket.recipient,
                _ticket.sender,
                _ticket.faceValue,
                _ticket.winProb,
                _ticket.senderNonce,
                _ticket.recipientRandHash,
                _ticket.auxData
            )
        );
    }

    // ---- reserve ----

    function claimableReserve(address _reserveHolder, address _claimant) public view returns (uint256) {
        return _claimable(_reserveHolder, _claimant, _roundsManager().currentRound());
    }

    function _claimable(address _reserveHolder, address _claimant, uint256 _round) private view returns (uint256) {
        if (!_bondingManager().isActiveTranscoder(_claimant)) return 0;
        uint256 poolSize = _bondingManager().getTranscoderPoolSize();
        if (poolSize == 0) return 0;
        Reserve storage res = reserves[_reserveHolder];
        uint256 slice = (res.funds + res.claimedForRound[_round]) / poolSize;
        uint256 claimed = res.claimedByAddress[_round][_claimant];
        return slice > claimed ? slice - claimed : 0;
    }

    function _claimFromReserve(address _reserveHolder, address _claimant, uint256 _amount, uint256 _round)
        private
        returns (uint256)
    {
        uint256 claimable = _claimable(_reserveHolder, _claimant, _round);
        uint256 claimAmount = _amount > claimable ? claimable : _amount;
        if (claimAmount > 0) {
            Reserve storage res = reserves[_reserveHolder];
            res.claimedForRound[_round] += claimAmount;
            res.claimedByAddress[_round][_claimant] += claimAmount;
            res.funds -= claimAmount;
            emit ReserveClaimed(_reserveHolder, _claimant, claimAmount);
        }
        return claimAmount;
    }

    function claimedReserve(address _reserveHolder, address _claimant) external view returns (uint256) {
        return reserves[_reserveHolder].claimedByAddress[_roundsManager().currentRound()][_claimant];
    }

    function getReserveInfo(address _reserveHolder) public view returns (ReserveInfo memory info) {
        Reserve storage res = reserves[_reserveHolder];
        info.fundsRemaining = res.funds;
        info.claimedInCurrentRound = res.claimedForRound[_roundsManager().currentRound()];
    }

    function getSenderInfo(address _sender) external view returns (Sender memory sender, ReserveInfo memory reserve) {
        sender = senders[_sender];
        reserve = getReserveInfo(_sender);
    }

    // ---- unlock / withdraw ----

    function unlock() external whenSystemNotPaused {
        Sender storage s = senders[msg.sender];
        require(s.deposit > 0 || reserves[msg.sender].funds > 0, "sender deposit and reserve are zero");
        require(s.withdrawRound == 0, "unlock already initiated");
        uint256 round = _roundsManager().currentRound();
        s.withdrawRound = round + unlockPeriod;
        emit Unlock(msg.sender, round, s.withdrawRound);
    }

    function cancelUnlock() external whenSystemNotPaused {
        _cancelUnlock(senders[msg.sender], msg.sender);
    }

    function _cancelUnlock(Sender storage _s, address _addr) private {
        require(_s.withdrawRound > 0, "no unlock request in progress");
        _s.withdrawRound = 0;
        emit UnlockCancelled(_addr);
    }

    function withdraw() external whenSystemNotPaused {
        Sender storage s = senders[msg.sender];
        uint256 deposit = s.deposit;
        uint256 reserve = reserves[msg.sender].funds;
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(s.withdrawRound > 0, "no unlock request in progress");
        require(_roundsManager().currentRound() >= s.withdrawRound, "account is locked");
        s.deposit = 0;
        s.withdrawRound = 0;
        reserves[msg.sender].funds = 0;
        _minter().trustedWithdrawETH(payable(msg.sender), deposit + reserve);
        emit Withdrawal(msg.sender, deposit, reserve);
    }

    function isUnlockInProgress(address _sender) external view returns (bool) {
        return senders[_sender].withdrawRound > 0;
    }
}
